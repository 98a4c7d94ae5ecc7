import { useId, useState, type FormEvent } from "react";
import { api, ApiError } from "../api";

export function SignIn({ onSignedIn, reason }: { onSignedIn: (token: string) => void; reason?: string }) {
    const [token, setToken] = useState("");
    const [error, setError] = useState<string>();
    const [checking, setChecking] = useState(false);
    const errorId = useId();

    async function submit(event: FormEvent) {
        event.preventDefault();
        const candidate = token.trim();
        if (candidate === "") {
            setError("Paste your API token — `npm run token -- create --name NAME` prints one.");
            return;
        }
        setChecking(true);
        setError(undefined);
        try {
            // The token is only kept once the API has accepted it.
            await api.listStores(candidate);
            onSignedIn(candidate);
        } catch (e) {
            setError(e instanceof ApiError && e.status === 401
                ? "The API did not accept this token — check it, or ask an admin for a new one."
                : `The API could not be reached (${e instanceof Error ? e.message : String(e)}). Try again.`);
        } finally {
            setChecking(false);
        }
    }

    return (
        <main id="main" className="sign-in">
            <form className="card" onSubmit={submit} noValidate>
                <h1>WooStore</h1>
                <p className="muted">Sign in with your API token to see and create your stores.</p>
                {reason && <p className="notice" role="status">{reason}</p>}
                <label htmlFor="token">API token</label>
                <input
                    id="token"
                    name="token"
                    type="password"
                    autoComplete="off"
                    spellCheck={false}
                    value={token}
                    onChange={(e) => setToken(e.target.value)}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={error ? errorId : undefined}
                    autoFocus
                />
                {error && <p id={errorId} className="field-error" role="alert">{error}</p>}
                <p className="hint">Kept in this tab only (session storage) until you sign out or close it.</p>
                <button type="submit" className="button" disabled={checking}>{checking ? "Checking…" : "Sign in"}</button>
            </form>
        </main>
    );
}
