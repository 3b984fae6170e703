// Pulumi resources that administer a site's MariaDB server as root over the
// Unix socket inside its container.

export { Database, type DatabaseArgs } from "./database";
export { Grant, type GrantArgs } from "./grant";
export { Migrations, type MigrationsArgs } from "./migrations";
export { ReplicaConnection, type ReplicaConnectionArgs } from "./replica-connection";
export { User, type UserArgs } from "./user";
export type { AdminTarget } from "./admin-connection";
export { Reseed, type ReseedArgs } from "./reseed";
export { ReseedView, type ReseedViewArgs } from "./reseed-view";
