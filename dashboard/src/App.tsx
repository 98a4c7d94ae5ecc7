import { useCallback, useEffect, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { setUnauthorizedHandler, tokenStore } from "./api";
import { hrefFor, useRoute } from "./route";
import { SignIn } from "./views/SignIn";
import { StoreList } from "./views/StoreList";
import { CreateStore } from "./views/CreateStore";
import { StoreDetail } from "./views/StoreDetail";

export function App() {
    const [token, setToken] = useState(() => tokenStore.get());
    const [signedOutReason, setSignedOutReason] = useState<string>();
    const queryClient = useQueryClient();
    const route = useRoute();
    const mainRef = useRef<HTMLElement>(null);

    const signOut = useCallback((reason?: string) => {
        tokenStore.clear();
        queryClient.clear();
        setSignedOutReason(reason);
        setToken(null);
    }, [queryClient]);

    useEffect(() => {
        setUnauthorizedHandler(() => signOut("Your token was not accepted any more. Sign in again."));
    }, [signOut]);

    // Moving between views puts focus at the new view's heading, as a page load would.
    useEffect(() => {
        mainRef.current?.querySelector<HTMLElement>("h1")?.focus();
    }, [route]);

    if (!token) {
        return <SignIn reason={signedOutReason} onSignedIn={(t) => { tokenStore.set(t); setSignedOutReason(undefined); setToken(t); }} />;
    }

    return (
        <>
            <a className="skip-link" href="#main">Skip to content</a>
            <header className="app-header">
                <a className="brand" href="#/">WooStore</a>
                <nav aria-label="Main">
                    <a href={hrefFor({ view: "list" })} aria-current={route.view === "list" ? "page" : undefined}>Stores</a>
                    <a href={hrefFor({ view: "create" })} aria-current={route.view === "create" ? "page" : undefined}>New store</a>
                </nav>
                <button type="button" className="button secondary" onClick={() => signOut()}>Sign out</button>
            </header>
            <main id="main" ref={mainRef} tabIndex={-1}>
                {route.view === "list" && <StoreList />}
                {route.view === "create" && <CreateStore />}
                {route.view === "detail" && <StoreDetail key={route.name} name={route.name} />}
            </main>
        </>
    );
}
