import { useEffect, useRef, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, type FieldError } from "../api";
import { navigate } from "../route";
import { createRequestBody, emptyStoreForm, formProblems, MAX_TITLE_LENGTH, type FieldPath, type FieldProblem, type StoreForm } from "../storeRules";
import { MAX_STORE_NAME_LENGTH } from "../../../components/names";

interface FieldSpec {
    key: keyof StoreForm;
    path: FieldPath;
    label: string;
    help: string;
    type?: string;
    placeholder?: string;
    autoComplete?: string;
    maxLength?: number;
}

const FIELDS: FieldSpec[] = [
    { key: "name", path: "name", label: "Name", help: `Lowercase letters, digits and '-', up to ${MAX_STORE_NAME_LENGTH} characters. It names the store's address; it can't be changed later.`, placeholder: "my-shop" },
    { key: "title", path: "title", label: "Title (optional)", help: "Shown in the shop. Default: the name.", maxLength: MAX_TITLE_LENGTH },
    { key: "adminEmail", path: "admin.email", label: "Admin e-mail", help: "The store administrator's address.", type: "email", placeholder: "owner@example.com", autoComplete: "email" },
    { key: "adminUser", path: "admin.user", label: "Admin user (optional)", help: "WordPress login. Default: admin.", placeholder: "admin", autoComplete: "off" },
    { key: "currency", path: "woocommerce.currency", label: "Currency (optional)", help: "ISO 4217 code. Default: USD.", placeholder: "USD" },
    { key: "country", path: "woocommerce.country", label: "Country (optional)", help: "ISO 3166 code, optionally with a state. Default: US:CA.", placeholder: "US:CA" },
];

const fieldId = (path: FieldPath) => `field-${path.replace(/\./g, "-")}`;

/** Seconds left until `until` (ms epoch), ticking once a second. */
function useCountdown(until: number | undefined): number {
    const [now, setNow] = useState(() => Date.now());
    useEffect(() => {
        if (until === undefined) return;
        setNow(Date.now());
        const timer = window.setInterval(() => setNow(Date.now()), 250);
        return () => window.clearInterval(timer);
    }, [until]);
    return until === undefined ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

export function CreateStore() {
    const [form, setForm] = useState<StoreForm>(emptyStoreForm);
    const [touched, setTouched] = useState<Partial<Record<FieldPath, boolean>>>({});
    const [submitted, setSubmitted] = useState(false);
    const [serverErrors, setServerErrors] = useState<Partial<Record<FieldPath, FieldProblem>>>({});
    const [generalErrors, setGeneralErrors] = useState<string[]>([]);
    const [retryAt, setRetryAt] = useState<number>();
    const secondsLeft = useCountdown(retryAt);
    const formRef = useRef<HTMLFormElement>(null);
    const queryClient = useQueryClient();

    const localProblems = formProblems(form);

    const create = useMutation({
        mutationFn: () => api.createStore(createRequestBody(form)),
        onSuccess: async () => {
            await queryClient.invalidateQueries({ queryKey: ["stores"] });
            navigate({ view: "detail", name: form.name });
        },
        onError: (error) => {
            const byField: Partial<Record<FieldPath, FieldProblem>> = {};
            const general: string[] = [];
            if (error instanceof ApiError) {
                if (error.status === 429) {
                    setRetryAt(Date.now() + (error.retryAfterSeconds ?? 60) * 1000);
                } else if (error.status === 409) {
                    byField.name = { message: `the name "${form.name}" is taken`, hint: error.detail ?? "choose another name" };
                } else {
                    const known = new Set(FIELDS.map((f) => f.path as string));
                    for (const e of error.fieldErrors as FieldError[]) {
                        if (known.has(e.path)) byField[e.path as FieldPath] ??= { message: e.message, hint: e.hint ?? "" };
                        else general.push(`${e.path || "request"}: ${e.message}${e.hint ? ` — ${e.hint}` : ""}`);
                    }
                    if (error.fieldErrors.length === 0) general.push(error.message);
                }
            } else {
                general.push(`The API could not be reached: ${error.message}`);
            }
            setServerErrors(byField);
            setGeneralErrors(general);
            // The first field with a problem gets focus, so keyboard and screen reader users land on it.
            const first = FIELDS.find((f) => byField[f.path]);
            if (first) window.setTimeout(() => document.getElementById(fieldId(first.path))?.focus(), 0);
        },
    });

    function update(spec: FieldSpec, value: string) {
        setForm((f) => ({ ...f, [spec.key]: value }));
        setTouched((t) => ({ ...t, [spec.path]: true }));
        setServerErrors((s) => ({ ...s, [spec.path]: undefined }));
    }

    function submit(event: FormEvent) {
        event.preventDefault();
        setSubmitted(true);
        const first = FIELDS.find((f) => localProblems[f.path]);
        if (first) {
            document.getElementById(fieldId(first.path))?.focus();
            return;
        }
        setGeneralErrors([]);
        create.mutate();
    }

    const rateLimited = secondsLeft > 0;

    return (
        <section aria-labelledby="create-heading">
            <h1 id="create-heading" tabIndex={-1}>New store</h1>
            <form ref={formRef} className="card form" onSubmit={submit} noValidate>
                {FIELDS.map((spec) => {
                    const id = fieldId(spec.path);
                    // An empty required field is only a problem once the person tried to submit.
                    const shownLocal = (touched[spec.path] && form[spec.key] !== "") || submitted ? localProblems[spec.path] : undefined;
                    const problem = serverErrors[spec.path] ?? shownLocal;
                    return (
                        <div className="field" key={spec.path}>
                            <label htmlFor={id}>{spec.label}</label>
                            <input
                                id={id}
                                name={spec.path}
                                type={spec.type ?? "text"}
                                value={form[spec.key]}
                                placeholder={spec.placeholder}
                                autoComplete={spec.autoComplete ?? "off"}
                                spellCheck={false}
                                autoCapitalize="none"
                                maxLength={spec.maxLength}
                                aria-invalid={problem ? true : undefined}
                                aria-describedby={`${id}-help${problem ? ` ${id}-error` : ""}`}
                                onChange={(e) => update(spec, e.target.value)}
                            />
                            <p id={`${id}-help`} className="hint">{spec.help}</p>
                            {problem && <p id={`${id}-error`} className="field-error" data-field={spec.path}>{problem.message}{problem.hint ? ` — ${problem.hint}` : ""}</p>}
                        </div>
                    );
                })}
                {generalErrors.length > 0 && (
                    <div className="notice error" role="alert">
                        <p>The store was not created:</p>
                        <ul>{generalErrors.map((e) => <li key={e}>{e}</li>)}</ul>
                    </div>
                )}
                <div role="status" aria-live="polite" className="rate-limit">
                    {rateLimited && <p className="notice warning">Too many new stores in a short time. You can create the next one in <strong data-testid="countdown">{secondsLeft} s</strong>.</p>}
                </div>
                <div className="actions">
                    <a className="button secondary" href="#/">Cancel</a>
                    <button type="submit" className="button" disabled={create.isPending || rateLimited}>{create.isPending ? "Creating…" : "Create store"}</button>
                </div>
            </form>
        </section>
    );
}
