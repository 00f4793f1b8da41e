/*
 * Shared by Berth's Node-API addons: a failed syscall becomes a JS Error
 * with `code` ("ENOENT", …), `errno` (negative) and a message naming what
 * failed, as Node's own fs errors do.
 */
#ifndef BERTH_NAPI_H
#define BERTH_NAPI_H

#include <node_api.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static inline const char *berth_errno_code(int e) {
  switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EACCES: return "EACCES";
    case EBUSY: return "EBUSY"; case EEXIST: return "EEXIST"; case EINVAL: return "EINVAL";
    case ENOTDIR: return "ENOTDIR"; case ENOSPC: return "ENOSPC"; case ENODATA: return "ENODATA";
    case EAGAIN: return "EAGAIN"; case ENOTSUP: return "ENOTSUP"; case ERANGE: return "ERANGE";
    case EBADF: return "EBADF"; case ENODEV: return "ENODEV"; case ENOMEM: return "ENOMEM";
    case EPIPE: return "EPIPE"; case ECONNREFUSED: return "ECONNREFUSED"; case ECONNRESET: return "ECONNRESET";
    case ENAMETOOLONG: return "ENAMETOOLONG"; case ENOTSOCK: return "ENOTSOCK"; case ESRCH: return "ESRCH";
    case EIO: return "EIO";
    default: return "EUNKNOWN";
  }
}

/* An Error for errno `e`: "WHAT ARG: strerror", with `code` and `errno` set. */
static inline napi_value berth_errno_error(napi_env env, int e, const char *what, const char *arg) {
  char msg[1200];
  snprintf(msg, sizeof msg, "%s%s%s: %s", what, arg ? " " : "", arg ? arg : "", strerror(e));
  napi_value code, message, err, errnum;
  napi_create_string_utf8(env, berth_errno_code(e), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &err);
  napi_create_int32(env, -e, &errnum);
  napi_set_named_property(env, err, "errno", errnum);
  napi_set_named_property(env, err, "code", code);
  return err;
}

/* Throws an Error for errno `e` (see berth_errno_error). Returns NULL for the caller to return. */
static inline napi_value berth_throw(napi_env env, int e, const char *what, const char *arg) {
  napi_throw(env, berth_errno_error(env, e, what, arg));
  return NULL;
}

#endif
