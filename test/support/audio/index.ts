export * from "./synth";
export * from "./tone-detector";
export * from "./wav";
