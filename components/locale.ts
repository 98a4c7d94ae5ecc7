/**
 * Countries and currencies the setup Job hands to WooCommerce, checked against maintained
 * data packages: ISO 3166-1 alpha-2 from `i18n-iso-countries`, ISO 4217 from `currency-codes`
 * (both pinned in package.json; update them like any dependency).
 */
import * as countries from "i18n-iso-countries/index";
import * as currencies from "currency-codes";
import english from "i18n-iso-countries/langs/en.json";
import { shown } from "./text";
import { SETUP_DEFAULT_STATES, WOOCOMMERCE_NO_STATES, WOOCOMMERCE_STATE_OPTIONAL, WOOCOMMERCE_STATES } from "./woocommerceStates";

countries.registerLocale(english);

export type LocaleReading = { ok: true } | { ok: false; message: string; hint: string };

/** Common non-ISO spellings people write for a country. */
const KNOWN_MISTAKES: Record<string, string> = { UK: "GB", EL: "GR" };

/**
 * ISO 4217 codes that are not money a shop can price in: precious metals, bond-market units,
 * the SDR, the SUCRE, the ADB unit, the testing code and "no currency".
 */
const NOT_SHOP_CURRENCIES = new Set(["XAU", "XAG", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA", "XTS", "XXX"]);

const ALPHA2 = new Set(Object.keys(countries.getAlpha2Codes()));

/**
 * `CC` or `CC:STATE`, with CC an ISO 3166-1 alpha-2 code (WooCommerce's store country format)
 * and STATE one of WooCommerce's codes for that country (woocommerceStates.ts). A country whose
 * checkout requires a state needs one, unless the setup Job has a default for it.
 */
export function readCountry(text: string): LocaleReading {
    const [code, state, ...rest] = text.split(":");
    const format = "write an ISO 3166-1 alpha-2 code, optionally with a state: US:CA, DE";
    if (rest.length > 0 || !/^[A-Za-z]{2,3}$/.test(code) || (state !== undefined && !/^[A-Z0-9-]{1,10}$/.test(state))) {
        return { ok: false, message: `country ${shown(text)} is not a WooCommerce country`, hint: format };
    }
    if (code !== code.toUpperCase()) {
        return { ok: false, message: `country ${shown(text)} is in lowercase`, hint: `write the code in capitals: "${text.toUpperCase()}"` };
    }
    if (!ALPHA2.has(code)) {
        const meant = KNOWN_MISTAKES[code] ?? (code.length === 3 ? countries.alpha3ToAlpha2(code) : undefined);
        const hint = meant ? `did you mean ${meant} (${countries.getName(meant, "en")})?` : format;
        return { ok: false, message: `country ${shown(text)} is not an ISO 3166-1 alpha-2 code`, hint };
    }
    const name = countries.getName(code, "en") ?? code;
    const states = WOOCOMMERCE_STATES[code];
    const examples = (list: readonly string[]) => list.slice(0, 4).map((candidate) => `${code}:${candidate}`).join(", ");
    if (state !== undefined) {
        if (WOOCOMMERCE_NO_STATES.has(code)) {
            return { ok: false, message: `country "${text}": WooCommerce has no states for ${name}`, hint: `write the country alone: "${code}"` };
        }
        if (states && !states.some((candidate) => candidate.toUpperCase() === state)) {
            return { ok: false, message: `country "${text}": "${state}" is not a WooCommerce state of ${name}`, hint: `write one of WooCommerce's state codes, e.g. ${examples(states)}` };
        }
        return { ok: true };
    }
    if (!WOOCOMMERCE_STATE_OPTIONAL.has(code) && SETUP_DEFAULT_STATES[code] === undefined) {
        const hint = states ? `add the store's state, e.g. ${examples(states.filter((candidate) => /^[A-Z0-9-]{1,10}$/.test(candidate.toUpperCase())))}` : `add the store's state or region: ${code}:<STATE>`;
        return { ok: false, message: `country "${text}": WooCommerce requires a state for ${name}, and the setup Job's test order needs one`, hint };
    }
    return { ok: true };
}

export function readCurrency(text: string): LocaleReading {
    if (!/^[A-Z]{3}$/.test(text)) {
        const upper = text.toUpperCase();
        const hint = /^[a-z]{3}$/.test(text) && currencies.code(upper) ? `write it in capitals: "${upper}"` : "write three capital letters, e.g. USD or EUR";
        return { ok: false, message: `currency ${shown(text)} is not an ISO 4217 code`, hint };
    }
    if (!currencies.code(text)) {
        return { ok: false, message: `currency "${text}" is not an ISO 4217 code`, hint: "write a currency in use, e.g. USD, EUR, GBP" };
    }
    if (NOT_SHOP_CURRENCIES.has(text)) {
        return { ok: false, message: `currency "${text}" is an ISO 4217 unit that is not money a shop can price in`, hint: "write a national currency, e.g. USD, EUR, GBP" };
    }
    return { ok: true };
}
