// Application code versus library, runtime and standard-library code, decided from the text of
// a frame alone (the path, or for JVM and .NET frames the namespace).
import type { TraceLanguage } from './types';

const LIBRARY_PATH_PARTS = [
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
];

const LIBRARY_PATH_STARTS = ['node:', 'internal/', '<', '../sysdeps/', './nptl/', '/lib/', '/lib64/', '/usr/', '/opt/homebrew/'];

const JVM_LIBRARY_PACKAGES = [
  'java.', 'javax.', 'jdk.', 'sun.', 'com.sun.', 'kotlin.', 'kotlinx.', 'scala.', 'groovy.', 'org.springframework.',
  'org.apache.', 'org.hibernate.', 'io.netty.', 'com.fasterxml.', 'reactor.', 'io.reactivex.', 'okhttp3.',
  'ch.qos.logback.', 'org.slf4j.', 'com.zaxxer.', 'org.eclipse.jetty.', 'org.junit.', 'jakarta.', 'io.micrometer.',
  'io.grpc.', 'com.google.common.', 'com.google.protobuf.', 'akka.', 'io.undertow.', 'org.glassfish.', 'feign.',
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
  const path = file.replace(/\\/g, '/').toLowerCase();
  if (LIBRARY_PATH_STARTS.some((p) => path.startsWith(p))) return false;
  if (LIBRARY_PATH_PARTS.some((p) => path.includes(p))) return false;
  // Windows installs: C:\Python311\Lib\json\decoder.py
  if (/^[a-z]:\/python\d*\/lib\//.test(path)) return false;
  // Native shared objects (`from /lib/libc.so.6`) are never the application's source.
  if (/\.so(?:\.\d+)*$/.test(path)) return false;
  return true;
}
