/** "3 min", "2 h", "5 d": how long ago an ISO timestamp was. */
export function age(iso: string | undefined, now = Date.now()): string {
    if (!iso) return "—";
    const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    if (Number.isNaN(seconds)) return "—";
    if (seconds < 60) return `${seconds} s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`;
    return `${Math.floor(seconds / 86400)} d`;
}
