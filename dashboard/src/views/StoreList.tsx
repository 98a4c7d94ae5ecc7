import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { isFinal, isReadOnly, pollWhileChanging, showsOwners } from "../model";
import { hrefFor } from "../route";
import { StatusBadge } from "../components/StatusBadge";
import { DeleteDialog } from "../components/DeleteDialog";
import { age } from "../time";

export function StoreList() {
    const stores = useQuery({ queryKey: ["stores"], queryFn: () => api.listStores(), refetchInterval: (q) => pollWhileChanging(q.state.data) });
    const [deleting, setDeleting] = useState<string>();

    const list = stores.data ?? [];
    const showOwner = showsOwners(list);

    return (
        <section aria-labelledby="stores-heading">
            <div className="view-header">
                <h1 id="stores-heading" tabIndex={-1}>Stores</h1>
                {list.length > 0 && <a className="button" href={hrefFor({ view: "create" })}>New store</a>}
            </div>
            {stores.isPending && <p role="status">Loading stores…</p>}
            {stores.isError && <p className="notice error" role="alert">The stores could not be loaded: {stores.error.message}</p>}
            {stores.isSuccess && list.length === 0 && (
                <div className="empty card">
                    <h2>No stores yet</h2>
                    <p>A store is a WooCommerce shop of its own, with its own database, ready in a few minutes.</p>
                    <a className="button" href={hrefFor({ view: "create" })}>Create your first store</a>
                </div>
            )}
            {list.length > 0 && (
                <table className="stores">
                    <caption className="visually-hidden">Your stores, {list.length} in all</caption>
                    <thead>
                        <tr>
                            <th scope="col">Name</th>
                            <th scope="col">URL</th>
                            <th scope="col">Status</th>
                            <th scope="col">Age</th>
                            {showOwner && <th scope="col">Owner</th>}
                            <th scope="col">Actions</th>
                        </tr>
                    </thead>
                    <tbody>
                        {list.map((store) => (
                            <tr key={store.name} data-store={store.name}>
                                <th scope="row" data-label="Name"><a href={hrefFor({ view: "detail", name: store.name })}>{store.name}</a></th>
                                <td data-label="URL">{store.url ? <a href={store.url} target="_blank" rel="noreferrer">{store.url.replace(/^https?:\/\//, "")}</a> : "—"}</td>
                                <td data-label="Status"><StatusBadge status={store.status} /></td>
                                <td data-label="Age">{age(store.createdAt)}</td>
                                {showOwner && <td data-label="Owner">{isReadOnly(store) ? "stores.yaml" : store.owner ?? "—"}</td>}
                                <td data-label="Actions" className="row-actions">
                                    {isReadOnly(store)
                                        ? <span className="readonly" title="Changed through git, in stores.yaml">Read-only (stores.yaml)</span>
                                        : <button type="button" className="button small danger-outline" disabled={!isFinal(store)} title={isFinal(store) ? undefined : "A store can be deleted once it is Ready or Failed"} onClick={() => setDeleting(store.name)} aria-label={`Delete ${store.name}`}>Delete</button>}
                                </td>
                            </tr>
                        ))}
                    </tbody>
                </table>
            )}
            {deleting && <DeleteDialog name={deleting} onClose={() => setDeleting(undefined)} onDeleted={() => setDeleting(undefined)} />}
        </section>
    );
}
