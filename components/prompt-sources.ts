import * as fs from "fs";
import * as path from "path";

import { SiteModel } from "./model/types";
import { probeAudio } from "./model/validate/audio";

/**
 * Builds the prompt sources written into the PBX container, keyed by file name.
 * A spoken placeholder becomes `<name>.txt` (voice on the first line, then the
 * text); an operator recording becomes `<name>.<format>.b64`, its bytes in
 * base64, which the container decodes and converts with sox to what Asterisk
 * plays. The format comes from the file's content, which validation probed.
 */
export function renderPromptSources(model: SiteModel, projectDir: string): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const recording of [...model.recordings].sort((a, b) => a.name.localeCompare(b.name))) {
    if (recording.source.kind === "speech") {
      sources[`${recording.name}.txt`] = `${recording.source.voice}\n${recording.source.text}\n`;
    } else {
      const file = path.resolve(projectDir, recording.source.path);
      const bytes = fs.readFileSync(file);
      const probe = probeAudio(bytes.subarray(0, 64), bytes.length);
      if (!("format" in probe)) {
        throw new Error(`recording ${recording.name} (${file}) is not audio: ${probe.reason}`);
      }
      sources[`${recording.name}.${SOX_TYPES[probe.format]}.b64`] = bytes.toString("base64");
    }
  }
  return sources;
}

/** File type names that sox takes for each probed format. */
const SOX_TYPES = { WAV: "wav", MP3: "mp3", Ogg: "ogg", FLAC: "flac", AIFF: "aiff", AU: "au" } as const;
