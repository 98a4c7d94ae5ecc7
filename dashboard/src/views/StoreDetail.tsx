import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError, type Credentials } from "../api";
import { backupsNotConfigured, formatBytes, isBackingUp, isChanging, isFinal, isReadOnly, lastBackupFailure, POLL_MS, SNAPSHOT_KIND_LABELS, type Store } from "../model";
import { changesStatus, describeProgress, readEvents } from "../events";
import { navigate } from "../route";
import { StatusBadge } from "../components/StatusBadge";
import { DeleteDialog } from "../components/DeleteDialog";
import { age } from "../time";


/** Follows the events stream while the store is changing; returns the progress lines so far. */
function useProgress(name: string, active: boolean): string[] {
    const [lines, setLines] = useState<string[]>([]);
    const queryClient = useQueryClient();
    useEffect(() => {
        if (!active) return;
        const controller = new AbortController();
        const refresh = () => {
            void queryClient.invalidateQueries({ queryKey: ["store", name] });
            void queryClient.invalidateQueries({ queryKey: ["stores"] });
        };
        readEvents(api.eventsPath(name), controller.signal, (event) => {
            const line = describeProgress(event);
            if (line) setLines((previous) => (previous[previous.length - 1] === line ? previous : [...previous.slice(-19), line]));
            if (changesStatus(event)) refresh();
        })
            .then(refresh, () => {
                // An aborted or broken stream: the polling below still brings the status.
            });
        return () => controller.abort();
    }, [name, active, queryClient]);
    return lines;
}

export function StoreDetail({ name }: { name: string }) {
    const queryClient = useQueryClient();
    const store = useQuery({
        queryKey: ["store", name],
        queryFn: () => api.getStore(name),
        // Polling is the fallback to the events stream, and stops once the store is final.
        refetchInterval: (q) => (isChanging(q.state.data) || isBackingUp(q.state.data) ? POLL_MS : false),
    });
    const data = store.data;
    const progress = useProgress(name, (isChanging(data) && data?.status !== "Deleting") || isBackingUp(data));
    const [confirmingDelete, setConfirmingDelete] = useState(false);

    const retry = useMutation({
        mutationFn: () => api.retryStore(name),
        onSuccess: () => queryClient.invalidateQueries({ queryKey: ["store", name] }),
    });

    if (store.isPending) return <p role="status">Loading {name}…</p>;
    if (store.isError) {
        const gone = store.error instanceof ApiError && store.error.status === 404;
        return (
            <section aria-labelledby="detail-heading">
                <h1 id="detail-heading" tabIndex={-1}>{name}</h1>
                <p className="notice" role="alert">{gone ? "There is no store by this name among yours. It may have been deleted." : `The store could not be loaded: ${store.error.message}`}</p>
                <a href="#/">Back to the stores</a>
            </section>
        );
    }

    if (data === undefined) return null;
    const readOnly = isReadOnly(data);
    return (
        <section aria-labelledby="detail-heading">
            <p className="breadcrumb"><a href="#/">Stores</a> <span aria-hidden="true">/</span></p>
            <div className="view-header">
                <h1 id="detail-heading" tabIndex={-1}>{data.title && data.title !== name ? `${data.title} (${name})` : name}</h1>
                <StatusBadge status={data.status} />
            </div>
            <dl className="facts card">
                <dt>URL</dt>
                <dd>{data.url ? <a href={data.url} target="_blank" rel="noreferrer">{data.url}</a> : "—"}</dd>
                <dt>Created</dt>
                <dd>{data.createdAt ? <time dateTime={data.createdAt}>{age(data.createdAt)} ago</time> : "—"}</dd>
                {data.owner && (<><dt>Owner</dt><dd>{data.owner}</dd></>)}
                {readOnly && (<><dt>Managed by</dt><dd>stores.yaml — change it through git</dd></>)}
            </dl>

            {isChanging(data) && data.status !== "Deleting" && (
                <div className="card progress" aria-labelledby="progress-heading">
                    <h2 id="progress-heading">Progress</h2>
                    <p role="status" aria-live="polite" className="progress-now">{progress[progress.length - 1] ?? `${data.status}…`}</p>
                    {progress.length > 1 && (
                        <ol className="progress-log">{progress.slice(0, -1).map((line, i) => <li key={`${i}-${line}`}>{line}</li>)}</ol>
                    )}
                </div>
            )}
            {data.status === "Deleting" && <p className="notice" role="status">Deleting… the store disappears from the list once it is gone.</p>}

            {data.status === "Failed" && (
                <div className="card failed" role="alert">
                    <h2>Provisioning failed</h2>
                    <p className="reason">{data.reason ?? "No reason was recorded."}</p>
                    {!readOnly && (
                        <button type="button" className="button" onClick={() => retry.mutate()} disabled={retry.isPending}>{retry.isPending ? "Retrying…" : "Retry"}</button>
                    )}
                    {retry.error && <p className="field-error">{retry.error.message}</p>}
                </div>
            )}

            {data.status === "Ready" && <CredentialsPanel name={name} />}

            {!readOnly && (data.status === "Ready" || data.status === "Failed") && <BackupsPanel store={data} progress={progress} />}

            {!readOnly && (
                <div className="danger-zone">
                    <button type="button" className="button danger-outline" onClick={() => setConfirmingDelete(true)} disabled={!isFinal(data)} aria-describedby={isFinal(data) ? undefined : "delete-later"}>Delete store…</button>
                    {!isFinal(data) && data.status !== "Deleting" && <p id="delete-later" className="hint">A store can be deleted once it is Ready or Failed.</p>}
                </div>
            )}
            {confirmingDelete && (
                <DeleteDialog name={name} onClose={() => setConfirmingDelete(false)} onDeleted={() => { setConfirmingDelete(false); navigate({ view: "list" }); }} />
            )}
        </section>
    );
}

/**
 * Backups (issue 14): "Back up now" queues a backup (the store stays Ready), whose progress comes
 * from the events stream; the snapshot list is read again once the backup has ended.
 */
function BackupsPanel({ store, progress }: { store: Store; progress: string[] }) {
    const name = store.name;
    const queryClient = useQueryClient();
    const backups = useQuery({ queryKey: ["backups", name], queryFn: () => api.listBackups(name), retry: false });
    const backingUp = isBackingUp(store);
    const failure = lastBackupFailure(store);
    const start = useMutation({
        mutationFn: () => api.backupStore(name),
        onSuccess: (updated) => queryClient.setQueryData(["store", name], updated),
    });
    // When a backup ends (either way), the list may have a new snapshot.
    const wasBackingUp = useRef(backingUp);
    useEffect(() => {
        if (wasBackingUp.current && !backingUp) void queryClient.invalidateQueries({ queryKey: ["backups", name] });
        wasBackingUp.current = backingUp;
    }, [backingUp, name, queryClient]);

    const notConfigured = backups.error instanceof ApiError && backupsNotConfigured(backups.error.status, backups.error.detail);
    return (
        <div className="card backups" aria-labelledby="backups-heading">
            <h2 id="backups-heading">Backups</h2>
            {notConfigured ? (
                <p className="notice" data-testid="backups-not-configured">Backups are not configured on this platform. The operators enable them in the stack config (woostore:backup).</p>
            ) : (
                <>
                    {store.status === "Ready" && (
                        <div className="actions backup-actions">
                            <button type="button" className="button" onClick={() => start.mutate()} disabled={backingUp || start.isPending}>
                                {backingUp || start.isPending ? "Backing up…" : "Back up now"}
                            </button>
                            <span className="hint">The shop stays open while it is backed up.</span>
                        </div>
                    )}
                    {start.error && <p className="field-error" role="alert">The backup could not be started: {start.error.message}</p>}
                    {backingUp && (
                        <div className="progress">
                            <p role="status" aria-live="polite" className="progress-now">{progress[progress.length - 1] ?? "Backup queued…"}</p>
                        </div>
                    )}
                    {!backingUp && failure && <p className="notice error" role="alert">The last backup failed: {failure}</p>}
                    {backups.isPending && <p role="status">Loading backups…</p>}
                    {backups.isError && <p className="notice error" role="alert">The backups could not be loaded: {backups.error.message}</p>}
                    {backups.data && backups.data.length === 0 && <p className="muted">No backups yet.</p>}
                    {backups.data && backups.data.length > 0 && (
                        <table className="stores snapshots">
                            <caption className="visually-hidden">Snapshots of {name}, newest first</caption>
                            <thead>
                                <tr><th scope="col">Taken</th><th scope="col">Kind</th><th scope="col">Orders</th><th scope="col">Size</th><th scope="col">Snapshot</th></tr>
                            </thead>
                            <tbody>
                                {backups.data.map((snapshot) => (
                                    <tr key={snapshot.id}>
                                        <td data-label="Taken"><time dateTime={snapshot.time}>{snapshot.time.slice(0, 16).replace("T", " ")} UTC</time> <span className="muted">({age(snapshot.time)} ago)</span></td>
                                        <td data-label="Kind">{snapshot.kind ? SNAPSHOT_KIND_LABELS[snapshot.kind] : "—"}</td>
                                        <td data-label="Orders">{snapshot.orders ?? "—"}</td>
                                        <td data-label="Size">{formatBytes(snapshot.sizeBytes)}</td>
                                        <td data-label="Snapshot" className="mono">{snapshot.id}</td>
                                    </tr>
                                ))}
                            </tbody>
                        </table>
                    )}
                </>
            )}
        </div>
    );
}

/**
 * The admin login, fetched only on "Show" and kept in this component's state alone (not in the
 * query cache), so it is gone as soon as the view is left.
 */
function CredentialsPanel({ name }: { name: string }) {
    const [credentials, setCredentials] = useState<Credentials>();
    const [error, setError] = useState<string>();
    const [loading, setLoading] = useState(false);
    const [copied, setCopied] = useState(false);

    async function show() {
        setLoading(true);
        setError(undefined);
        try {
            setCredentials(await api.credentials(name));
        } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
        } finally {
            setLoading(false);
        }
    }

    async function copy() {
        if (!credentials) return;
        try {
            await navigator.clipboard.writeText(credentials.password);
            setCopied(true);
            window.setTimeout(() => setCopied(false), 2000);
        } catch {
            setError("The browser did not allow copying. Select the password and copy it by hand.");
        }
    }

    return (
        <div className="card credentials" aria-labelledby="credentials-heading">
            <h2 id="credentials-heading">Admin credentials</h2>
            {!credentials ? (
                <button type="button" className="button" onClick={show} disabled={loading}>{loading ? "Loading…" : "Show credentials"}</button>
            ) : (
                <>
                    <dl className="facts">
                        <dt>User</dt>
                        <dd className="mono" data-testid="admin-user">{credentials.user}</dd>
                        <dt>Password</dt>
                        <dd className="mono" data-testid="admin-password">{credentials.password}</dd>
                        {credentials.url && (<><dt>Sign in at</dt><dd><a href={credentials.url} target="_blank" rel="noreferrer">{credentials.url}</a></dd></>)}
                    </dl>
                    <div className="actions">
                        <button type="button" className="button" onClick={copy}>Copy password</button>
                        <button type="button" className="button secondary" onClick={() => setCredentials(undefined)}>Hide</button>
                        <span role="status" className="muted">{copied ? "Copied" : ""}</span>
                    </div>
                </>
            )}
            {error && <p className="field-error" role="alert">{error}</p>}
        </div>
    );
}
