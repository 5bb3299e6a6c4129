// Application code versus library, runtime and standard-library code, decided from the text of
// a frame alone (the path, or for JVM and .NET frames the namespace).
import type { TraceLanguage } from './types';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** One pattern for all library/runtime path markers: runs once per frame on the lower-cased path. */
const LIBRARY_PATH = new RegExp(
  [
    // anywhere in the path
    ...[
      '/node_modules/',
      '/site-packages/',
      '/dist-packages/',
      '/lib/python',
      '/gems/',
      '/lib/ruby/',
      '/vendor/',
      '/pkg/mod/',
      '/usr/local/go/',
      '/usr/lib/',
      '/usr/local/lib/',
      '/usr/share/',
      '/usr/include/',
      '/lib/x86_64-linux-gnu/',
      '/lib/aarch64-linux-gnu/',
      '/windows/',
      '/program files/dotnet/',
    ].map(escape),
    // at the start: runtime pseudo-paths, glibc sources, system directories
    ...['node:', 'internal/', '<', '../sysdeps/', './nptl/', '/lib/', '/lib64/', '/usr/', '/opt/homebrew/'].map((p) => '^' + escape(p)),
    // Windows Python installs: c:/python311/lib/json/decoder.py
    '^[a-z]:/python\\d*/lib/',
    // native shared objects (`from /lib/libc.so.6`) are never the application's source
    '\\.so(?:\\.\\d+)*$',
  ].join('|'),
);

const JVM_LIBRARY_PACKAGES = [
  'java.',
  'javax.',
  'jdk.',
  'sun.',
  'com.sun.',
  'kotlin.',
  'kotlinx.',
  'scala.',
  'groovy.',
  'org.springframework.',
  'org.apache.',
  'org.hibernate.',
  'io.netty.',
  'com.fasterxml.',
  'reactor.',
  'io.reactivex.',
  'okhttp3.',
  'ch.qos.logback.',
  'org.slf4j.',
  'com.zaxxer.',
  'org.eclipse.jetty.',
  'org.junit.',
  'jakarta.',
  'io.micrometer.',
  'io.grpc.',
  'com.google.common.',
  'com.google.protobuf.',
  'akka.',
  'io.undertow.',
  'org.glassfish.',
  'feign.',
];

const DOTNET_LIBRARY_NAMESPACES = ['System.', 'Microsoft.', 'Newtonsoft.', 'Npgsql.', 'Grpc.', 'Polly.'];

export function isApplicationFrame(language: TraceLanguage, file: string | null, fn: string | null): boolean {
  if (language === 'java' && fn) {
    if (JVM_LIBRARY_PACKAGES.some((p) => fn.startsWith(p))) return false;
    return file !== null;
  }
  if (language === 'dotnet' && fn) {
    if (DOTNET_LIBRARY_NAMESPACES.some((p) => fn.startsWith(p))) return false;
    if (file === null) return false;
  }
  if (language === 'go' && fn && fn.startsWith('runtime.')) return false;
  if (file === null || file === '') return false;
  return !LIBRARY_PATH.test(file.replace(/\\/g, '/').toLowerCase());
}
