// The client side of guarded-llm: helpers for applications that call the deployed endpoint.
export * from "./iap";
