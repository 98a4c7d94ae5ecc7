/**
 * The create form's as-you-type checks. They are the rules of the store entry schema
 * (components/storeList.ts, which the API validates with) for the fields the form has: the
 * name limits come from components/names.ts itself and the e-mail pattern from zod's own, so
 * the bundle stays small (the schema module reads files and pulls in the stack config).
 * tests/unit/dashboardStoreRules.test.ts proves that these checks and the schema agree.
 */
import { regexes } from "zod/v4/core";
import { DNS_LABEL, MAX_STORE_NAME_LENGTH } from "../../components/names";
import { shown } from "../../components/text";

/** The form's fields, keyed by their path in the API's request body. */
export type FieldPath = "name" | "title" | "admin.email" | "admin.user" | "woocommerce.currency" | "woocommerce.country";

export interface StoreForm {
    name: string;
    title: string;
    adminEmail: string;
    adminUser: string;
    currency: string;
    country: string;
}

export const emptyStoreForm: StoreForm = { name: "", title: "", adminEmail: "", adminUser: "", currency: "", country: "" };

const WORDPRESS_LOGIN = /^[a-z0-9_.@-]{3,60}$/;
const CURRENCY = /^[A-Z]{3}$/;
const COUNTRY = /^[A-Z]{2}(:[A-Z0-9-]{1,10})?$/;
export const MAX_TITLE_LENGTH = 100;

/** One problem with a field: what is wrong, and how to fix it. */
export interface FieldProblem {
    message: string;
    hint: string;
}

export function nameProblem(name: string): FieldProblem | undefined {
    if (name === "") return { message: "a name is required", hint: "it becomes the store's address and namespace, e.g. my-shop" };
    if (name.length > MAX_STORE_NAME_LENGTH) {
        return { message: `name "${name}" is longer than ${MAX_STORE_NAME_LENGTH} characters`, hint: "shorten it so the namespace, Helm release and labels derived from it fit Kubernetes' limits" };
    }
    const nonAscii = [...name].find((character) => character.charCodeAt(0) > 0x7f);
    if (nonAscii !== undefined) {
        // The same words as components/dnsNames.ts nonAsciiProblem (which needs Node's net module).
        const code = `U+${nonAscii.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
        return {
            message: `name ${shown(name)} contains the non-ASCII character '${nonAscii}' (${code})`,
            hint: "write it in plain ASCII (a look-alike letter from another alphabet is a different name); an internationalised domain name goes in its punycode form, xn--…",
        };
    }
    if (!DNS_LABEL.test(name)) {
        return { message: `name "${name}" is not a DNS-1123 label`, hint: "use lowercase letters, digits and '-', start with a letter, end with a letter or digit" };
    }
    return undefined;
}

export function titleProblem(title: string): FieldProblem | undefined {
    if (title.length > MAX_TITLE_LENGTH) return { message: `the title is longer than ${MAX_TITLE_LENGTH} characters`, hint: "shorten it" };
    return undefined;
}

export function emailProblem(email: string): FieldProblem | undefined {
    if (email === "") return { message: "an administrator e-mail is required", hint: "write the store administrator's address, e.g. owner@example.com" };
    if (!regexes.email.test(email)) {
        return { message: `"${email}" is not an e-mail address`, hint: "write the store administrator's address, e.g. owner@example.com" };
    }
    return undefined;
}

export function userProblem(user: string): FieldProblem | undefined {
    if (user !== "" && !WORDPRESS_LOGIN.test(user)) return { message: `the login ${shown(user)} is not a valid WordPress login`, hint: "use 3–60 lowercase letters, digits, '_', '.', '-'" };
    return undefined;
}

export function currencyProblem(currency: string): FieldProblem | undefined {
    if (currency !== "" && !CURRENCY.test(currency)) {
        const hint = /^[a-z]{3}$/.test(currency) ? `write it in capitals: "${currency.toUpperCase()}"` : "write three capital letters, e.g. USD or EUR";
        return { message: `currency ${shown(currency)} is not an ISO 4217 code`, hint };
    }
    return undefined;
}

export function countryProblem(country: string): FieldProblem | undefined {
    if (country !== "" && /^[a-z]{2}(:.*)?$/.test(country)) return { message: `country ${shown(country)} is in lowercase`, hint: `write the code in capitals: "${country.toUpperCase()}"` };
    if (country !== "" && !COUNTRY.test(country)) return { message: `country ${shown(country)} is not a WooCommerce country`, hint: "write an ISO 3166-1 alpha-2 code, optionally with a state: US:CA, DE" };
    return undefined;
}

/** Every field's problem, by the field's path in the request body. */
export function formProblems(form: StoreForm): Partial<Record<FieldPath, FieldProblem>> {
    const found: Partial<Record<FieldPath, FieldProblem>> = {
        name: nameProblem(form.name),
        title: titleProblem(form.title),
        "admin.email": emailProblem(form.adminEmail),
        "admin.user": userProblem(form.adminUser),
        "woocommerce.currency": currencyProblem(form.currency),
        "woocommerce.country": countryProblem(form.country),
    };
    for (const key of Object.keys(found) as FieldPath[]) if (!found[key]) delete found[key];
    return found;
}

/**
 * The request body for POST /stores. Empty optional fields are left out so that the API's
 * defaults apply (title: the name, user: admin, USD, US:CA).
 */
export function createRequestBody(form: StoreForm): Record<string, unknown> {
    const woocommerce: Record<string, string> = {};
    if (form.currency !== "") woocommerce.currency = form.currency;
    if (form.country !== "") woocommerce.country = form.country;
    return {
        name: form.name,
        ...(form.title !== "" ? { title: form.title } : {}),
        admin: { email: form.adminEmail, ...(form.adminUser !== "" ? { user: form.adminUser } : {}) },
        ...(Object.keys(woocommerce).length > 0 ? { woocommerce } : {}),
    };
}
