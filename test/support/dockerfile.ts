// The Dockerfile's runtime stage as data: read by the image test and by the bench (which runs serve as the
// image does).

export interface Layout {
  copies: { from: string; to: string }[];
  entrypoint: string[];
  nodeOptions: string;
}

/** The runtime stage of the Dockerfile: what it copies from the build stage, and its ENTRYPOINT. */
export function runtimeLayout(dockerfile: string): Layout {
  const stages = dockerfile.split(/^FROM /m);
  const runtime = stages[stages.length - 1] ?? '';
  const copies = [...runtime.matchAll(/^COPY --from=build (\S+) (\S+)$/gm)].map((m) => ({
    from: (m[1] ?? '').replace(/^\/app\//, ''),
    to: m[2] ?? '',
  }));
  const entry = /^ENTRYPOINT (\[.*\])$/m.exec(runtime)?.[1];
  const nodeOptions = /^ENV NODE_OPTIONS=(".*")$/m.exec(runtime)?.[1];
  return { copies, entrypoint: entry ? (JSON.parse(entry) as string[]) : [], nodeOptions: nodeOptions ? (JSON.parse(nodeOptions) as string) : '' };
}
