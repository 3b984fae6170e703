// Serializes each provider object the way `pulumi.dynamic.Resource` does and
// prints the module texts as JSON. Run under ts-node, as the Pulumi Node.js
// language host runs a TypeScript program.

import * as pulumi from "@pulumi/pulumi";

import { containerFilesProvider } from "../../../components/providers/docker/container-files-provider";
import { containerProvider } from "../../../components/providers/docker/container-provider";
import { imageProvider } from "../../../components/providers/docker/image-provider";
import { volumeProvider } from "../../../components/providers/docker/volume-provider";
import { generatedSecretProvider } from "../../../components/providers/secret";

async function main(): Promise<void> {
  const providers: Record<string, object> = {
    image: imageProvider,
    volume: volumeProvider,
    container: containerProvider,
    containerFiles: containerFilesProvider,
    secret: generatedSecretProvider,
  };
  const texts: Record<string, string> = {};
  for (const [name, provider] of Object.entries(providers)) {
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    texts[name] = serialized.text;
  }
  process.stdout.write(JSON.stringify(texts));
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
