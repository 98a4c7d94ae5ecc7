import type { StoreStatus } from "../api";

/** The status in words with a colour and a shape, so colour is never the only signal. */
export function StatusBadge({ status }: { status: StoreStatus }) {
    const symbol = status === "Ready" ? "●" : status === "Failed" ? "✕" : status === "Deleting" ? "–" : "◌";
    return (
        <span className={`badge badge-${status.toLowerCase()}`}>
            <span aria-hidden="true">{symbol}</span> {status}
        </span>
    );
}
