/** Hash routes (#/, #/new, #/stores/NAME): the server only serves index.html at `/`. */
import { useEffect, useState } from "react";

export type Route = { view: "list" } | { view: "create" } | { view: "detail"; name: string };

export function parseRoute(hash: string): Route {
    const path = hash.replace(/^#/, "");
    if (path === "/new") return { view: "create" };
    const detail = /^\/stores\/([^/]+)$/.exec(path);
    if (detail) return { view: "detail", name: decodeURIComponent(detail[1]) };
    return { view: "list" };
}

export const hrefFor = (route: Route): string =>
    route.view === "create" ? "#/new" : route.view === "detail" ? `#/stores/${encodeURIComponent(route.name)}` : "#/";

export function navigate(route: Route) {
    window.location.hash = hrefFor(route);
}

export function useRoute(): Route {
    const [route, setRoute] = useState(() => parseRoute(window.location.hash));
    useEffect(() => {
        const onChange = () => setRoute(parseRoute(window.location.hash));
        window.addEventListener("hashchange", onChange);
        return () => window.removeEventListener("hashchange", onChange);
    }, []);
    return route;
}
