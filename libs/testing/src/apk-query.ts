/** An APK call's parameters as its query string, numbers written as digits (as the APK sends them). */
export const apkQuery = (params: Record<string, string | number>): URLSearchParams =>
  new URLSearchParams(Object.entries(params).map(([name, value]): [string, string] => [name, String(value)]));
