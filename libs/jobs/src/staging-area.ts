// The staging area: the one bucket and key prefix (floe.yaml `storage.staging`) — or, for floe on
// one machine, the local folder and prefix (`staging.location: file:///…`) — where producers
// stage Arrow batches and the only place a writer reads a job's batches from or deletes them
// in. Anyone who can enqueue a job controls its batch URIs, so workers check every URI against
// the area before touching it: same bucket, `s3://` scheme (`file://` and the same folder for a
// local area), the prefix as whole path segments
// (`s3://staging/floe-evil/…` is not under prefix `floe`), and no empty, `.` or `..` segment,
// backslash or control character after it (some S3 clients and proxies normalise those, which
// could lead a request outside).
import type { StagingLocation } from './queues.ts';

/** `s3://<bucket>/<prefix>/`, or `s3://<bucket>/` for an empty prefix: what every staged URI starts with. */
export function stagingAreaUri(location: StagingLocation): string {
  const base = location.prefix.replace(/\/+$/, '');
  const root =
    location.localRoot === undefined ? `s3://${location.bucket}` : location.localRoot.replace(/\/+$/, '');
  return `${root}/${base === '' ? '' : `${base}/`}`;
}

/** Why `uri` is not an object of the staging area, or undefined when it is one. */
export function outsideStagingArea(uri: string, location: StagingLocation): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(uri)?.[1];
  const expected = location.localRoot === undefined ? 's3' : 'file';
  if (scheme !== expected)
    return scheme === undefined
      ? `it is not an ${expected}:// URI`
      : `it uses ${scheme}://, not ${expected}://`;
  if (expected === 's3') {
    const bucket = uri.slice('s3://'.length).split('/', 1)[0];
    if (bucket !== location.bucket) return `it is in bucket '${bucket}', not '${location.bucket}'`;
  }
  const area = stagingAreaUri(location);
  if (!uri.startsWith(area))
    return `its key is not under the staging ${expected === 's3' ? 'prefix' : 'folder'}`;
  const rest = uri.slice(area.length);
  if (rest === '') return 'it names the staging prefix itself, not an object';
  if (rest.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return 'its key holds an empty, . or .. path segment';
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
  if (/[\\\u0000-\u001f\u007f]/.test(rest)) return 'its key holds a backslash or a control character';
  return undefined;
}
