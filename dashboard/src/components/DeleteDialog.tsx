import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "../api";

/**
 * Deleting a store loses its shop and database, so the dialog asks for the store's name typed
 * out. A native modal <dialog> keeps focus inside and closes on Escape.
 */
export function DeleteDialog({ name, onClose, onDeleted }: { name: string; onClose: () => void; onDeleted: () => void }) {
    const dialogRef = useRef<HTMLDialogElement>(null);
    const [typed, setTyped] = useState("");
    const queryClient = useQueryClient();
    const titleId = useId();
    const helpId = useId();
    const errorId = useId();
    const remove = useMutation({
        mutationFn: () => api.deleteStore(name),
        onSuccess: async () => {
            await queryClient.invalidateQueries({ queryKey: ["stores"] });
            await queryClient.invalidateQueries({ queryKey: ["store", name] });
            onDeleted();
        },
    });

    useEffect(() => {
        const dialog = dialogRef.current;
        if (dialog && !dialog.open) dialog.showModal();
        return () => dialog?.close();
    }, []);

    function submit(event: FormEvent) {
        event.preventDefault();
        if (typed === name) remove.mutate();
    }

    const error = remove.error instanceof ApiError
        ? remove.error.status === 409 ? `${name} can't be deleted here: ${remove.error.detail ?? remove.error.title}` : remove.error.message
        : remove.error?.message;

    return (
        <dialog ref={dialogRef} className="dialog" aria-labelledby={titleId} onClose={onClose}>
            <form onSubmit={submit}>
                <h2 id={titleId}>Delete {name}?</h2>
                <p id={helpId}>This removes the shop, its database and its files. It can't be undone. Type <strong className="mono">{name}</strong> to confirm.</p>
                <label htmlFor="confirm-name">Store name</label>
                <input id="confirm-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} aria-describedby={error ? `${helpId} ${errorId}` : helpId} autoFocus />
                {error && <p id={errorId} className="field-error" role="alert">{error}</p>}
                <div className="actions">
                    <button type="button" className="button secondary" onClick={() => dialogRef.current?.close()}>Cancel</button>
                    <button type="submit" className="button danger" disabled={typed !== name || remove.isPending}>{remove.isPending ? "Deleting…" : "Delete store"}</button>
                </div>
            </form>
        </dialog>
    );
}
