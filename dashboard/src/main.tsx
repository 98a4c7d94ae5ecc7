import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ApiError } from "./api";
import { App } from "./App";
import "./styles.css";

const queryClient = new QueryClient({
    defaultOptions: {
        queries: {
            // A 4xx will not change by asking again; network hiccups may.
            retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
            // Nothing refreshes by itself unless a view asks for it (only while a store is not final).
            refetchOnWindowFocus: false,
            staleTime: 1000,
        },
    },
});

createRoot(document.getElementById("root")!).render(
    <StrictMode>
        <QueryClientProvider client={queryClient}>
            <App />
        </QueryClientProvider>
    </StrictMode>,
);
