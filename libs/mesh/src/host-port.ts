/** `host:port` as a URL's authority or a Host header takes it: an IPv6 address in brackets (a pod's, on IPv6 clusters). */
export const hostPort = (address: string, port: number): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
