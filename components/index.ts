export * from "./gpu";
export * from "./guardedLlmEndpoint";
export * from "./modelBucket";
export * from "./ollamaService";
export * from "./validation";
