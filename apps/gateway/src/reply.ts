/** A successful APK body: status 0 plus the route's fields. */
export const ok = <T extends object>(fields: T) => ({ status_code: 0, status_msg: 'success', ...fields });
