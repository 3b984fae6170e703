// Call-record database of each site: model, validation and rendering. Pure
// functions only; provisioning lives in components/providers/mariadb.

export * from "./model";
export * from "./validate";
export * from "./sql";
export * from "./privileges";
export * from "./password";
export * from "./server-config";
export * from "./schema";
export * from "./accounts";
export * from "./replication";
export * from "./reseed";
