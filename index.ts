// WooStore: one isolated WooCommerce store per entry of the store list (stores.yaml).
// Config → store list → one WooStore each → outputs. The same program serves the
// Pulumi CLI and the Automation API (automation/).
import { runProgram } from "./components/program";

export const stores = runProgram(__dirname);
