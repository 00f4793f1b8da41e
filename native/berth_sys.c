/*
 * berth_sys: the syscalls Node.js has no API for, as a Node-API addon.
 * Built at setup with Debian's gcc against the headers that ship with the
 * Node 24 binary (scripts/build-native.sh); no node-gyp, no download.
 * Every function is synchronous, and all but unixRequest are one syscall; errors are thrown
 * as Error objects with `code` (e.g. "EPERM") and `errno` set.
 */
#define _GNU_SOURCE
#include "berth_napi.h"
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAXARGS 6
#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "napi call failed: " #call); return NULL; } } while (0)


static napi_value throw_errno(napi_env env, const char *what, const char *path) { return berth_throw(env, errno, what, path); }

/* Reads argument i as a malloc'd UTF-8 string; NULL for undefined/null. */
static char *arg_str(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t == napi_undefined || t == napi_null) return NULL;
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static int64_t arg_int(napi_env env, napi_value v) {
  int64_t n = 0;
  napi_get_value_int64(env, v, &n);
  return n;
}

static napi_value undef(napi_env env) { napi_value u; napi_get_undefined(env, &u); return u; }

/* mount(source, target, fstype, flags, data) */
static napi_value js_mount(napi_env env, napi_callback_info info) {
  size_t argc = 5; napi_value a[5];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *src = arg_str(env, a[0]), *dst = arg_str(env, a[1]), *fs = arg_str(env, a[2]), *data = arg_str(env, a[4]);
  unsigned long flags = (unsigned long)arg_int(env, a[3]);
  int r = mount(src, dst, fs, flags, data);
  napi_value ret = r == 0 ? undef(env) : throw_errno(env, "mount", dst);
  free(src); free(dst); free(fs); free(data);
  return ret;
}

/* umount2(target, flags) */
static napi_value js_umount2(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value a[2];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *dst = arg_str(env, a[0]);
  int r = umount2(dst, (int)arg_int(env, a[1]));
  napi_value ret = r == 0 ? undef(env) : throw_errno(env, "umount", dst);
  free(dst);
  return ret;
}

/* mknod(path, mode, major, minor) — mode includes the file type bits */
static napi_value js_mknod(napi_env env, napi_callback_info info) {
  size_t argc = 4; napi_value a[4];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *p = arg_str(env, a[0]);
  int r = mknod(p, (mode_t)arg_int(env, a[1]), makedev((unsigned)arg_int(env, a[2]), (unsigned)arg_int(env, a[3])));
  napi_value ret = r == 0 ? undef(env) : throw_errno(env, "mknod", p);
  free(p);
  return ret;
}

/* lsetxattr(path, name, Buffer) */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value a[3];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *p = arg_str(env, a[0]), *name = arg_str(env, a[1]);
  void *data = NULL; size_t len = 0;
  CHECK(napi_get_buffer_info(env, a[2], &data, &len));
  int r = lsetxattr(p, name, data, len, 0);
  napi_value ret = r == 0 ? undef(env) : throw_errno(env, "lsetxattr", p);
  free(p); free(name);
  return ret;
}

/* lgetxattr(path, name) -> Buffer | undefined when absent */
static napi_value js_lgetxattr(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value a[2];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *p = arg_str(env, a[0]), *name = arg_str(env, a[1]);
  char buf[65536];
  ssize_t n = lgetxattr(p, name, buf, sizeof buf);
  napi_value ret;
  if (n < 0) ret = (errno == ENODATA || errno == ENOTSUP) ? undef(env) : throw_errno(env, "lgetxattr", p);
  else { void *out; napi_create_buffer_copy(env, (size_t)n, buf, &out, &ret); }
  free(p); free(name);
  return ret;
}

/* llistxattr(path) -> string[] */
static napi_value js_llistxattr(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *p = arg_str(env, a[0]);
  char buf[65536];
  ssize_t n = llistxattr(p, buf, sizeof buf);
  napi_value arr; napi_create_array(env, &arr);
  if (n < 0) {
    if (errno != ENOTSUP) { napi_value r = throw_errno(env, "llistxattr", p); free(p); return r; }
    n = 0;
  }
  uint32_t i = 0;
  for (ssize_t off = 0; off < n; off += (ssize_t)strlen(buf + off) + 1) {
    napi_value s; napi_create_string_utf8(env, buf + off, NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, arr, i++, s);
  }
  free(p);
  return arr;
}

/* flock(fd, operation) — LOCK_EX|LOCK_NB = 6; returns true when taken, false on EWOULDBLOCK */
static napi_value js_flock(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value a[2];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  int r = flock((int)arg_int(env, a[0]), (int)arg_int(env, a[1]));
  napi_value b;
  if (r == 0) { napi_get_boolean(env, true, &b); return b; }
  if (errno == EWOULDBLOCK) { napi_get_boolean(env, false, &b); return b; }
  return throw_errno(env, "flock", NULL);
}

/* mallocTrim() — hands the C heap's free pages back to the kernel (malloc_trim(0)); true if any went */
static napi_value js_malloc_trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value b;
  napi_get_boolean(env, malloc_trim(0) == 1, &b);
  return b;
}

/* mkfifo(path, mode) */
static napi_value js_mkfifo(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value a[2];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *p = arg_str(env, a[0]);
  int r = mkfifo(p, (mode_t)arg_int(env, a[1]));
  napi_value ret = r == 0 ? undef(env) : throw_errno(env, "mkfifo", p);
  free(p);
  return ret;
}

/*
 * unixRequest(path, request, timeoutMs) — connects to a unix socket, sends
 * the request bytes and returns everything the peer sends until it closes
 * (an HTTP/1.1 exchange with `Connection: close`). Blocking, for a CLI that
 * makes one call: it spares a cold process the load of node:net. Gives up
 * with ETIMEDOUT when the peer is silent for timeoutMs.
 */
static napi_value js_unix_request(napi_env env, napi_callback_info info) {
  size_t argc = 3; napi_value a[3];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *p = arg_str(env, a[0]);
  void *req = NULL; size_t reqlen = 0;
  CHECK(napi_get_buffer_info(env, a[1], &req, &reqlen));
  int timeout = (int)arg_int(env, a[2]);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (!p || strlen(p) >= sizeof sa.sun_path) { errno = ENAMETOOLONG; napi_value r = throw_errno(env, "connect", p); free(p); return r; }
  strcpy(sa.sun_path, p);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    int e = errno; if (fd >= 0) close(fd); errno = e;
    napi_value r = throw_errno(env, "connect", p); free(p); return r;
  }
  for (size_t off = 0; off < reqlen;) {
    ssize_t n = write(fd, (char *)req + off, reqlen - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { int e = errno; close(fd); errno = e; napi_value r = throw_errno(env, "write", p); free(p); return r; }
    off += (size_t)n;
  }
  size_t cap = 65536, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int pr = poll(&pfd, 1, timeout);
    if (pr < 0 && errno == EINTR) continue;
    if (pr == 0) errno = ETIMEDOUT;
    if (pr <= 0) { int e = errno; close(fd); free(buf); errno = e; napi_value r = throw_errno(env, "read", p); free(p); return r; }
    if (len == cap) { cap *= 2; buf = realloc(buf, cap); }
    ssize_t n = read(fd, buf + len, cap - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) { int e = errno; close(fd); free(buf); errno = e; napi_value r = throw_errno(env, "read", p); free(p); return r; }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(fd);
  free(p);
  napi_value out;
  void *data;
  napi_create_buffer_copy(env, len, buf, &data, &out);
  free(buf);
  return out;
}

/*
 * topDir(path) — marks a directory as the top of unrelated hierarchies
 * (FS_TOPDIR_FL, chattr +T): ext4's Orlov allocator then spreads the
 * directories made in it over the block groups instead of packing them
 * beside it. True once set; false where the file system has no such flag.
 */
static napi_value js_top_dir(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char *p = arg_str(env, a[0]);
  int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) { napi_value ret = throw_errno(env, "open", p); free(p); return ret; }
  int flags = 0, ok = 0, err = 0;
  if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
    if (flags & FS_TOPDIR_FL) ok = 1;
    else {
      flags |= FS_TOPDIR_FL;
      if (ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0) ok = 1;
      else err = errno;
    }
  } else err = errno;
  close(fd);
  if (!ok && err != ENOTTY && err != EOPNOTSUPP && err != EINVAL && err != EPERM && err != EACCES) {
    errno = err;
    napi_value ret = throw_errno(env, "ioctl(FS_IOC_SETFLAGS)", p);
    free(p);
    return ret;
  }
  free(p);
  napi_value b;
  napi_get_boolean(env, ok, &b);
  return b;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
    { "mount", NULL, js_mount, NULL, NULL, NULL, napi_enumerable, NULL },
    { "umount2", NULL, js_umount2, NULL, NULL, NULL, napi_enumerable, NULL },
    { "mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL },
    { "lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL },
    { "lgetxattr", NULL, js_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL },
    { "llistxattr", NULL, js_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL },
    { "flock", NULL, js_flock, NULL, NULL, NULL, napi_enumerable, NULL },
    { "mkfifo", NULL, js_mkfifo, NULL, NULL, NULL, napi_enumerable, NULL },
    { "mallocTrim", NULL, js_malloc_trim, NULL, NULL, NULL, napi_enumerable, NULL },
    { "topDir", NULL, js_top_dir, NULL, NULL, NULL, napi_enumerable, NULL },
    { "unixRequest", NULL, js_unix_request, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
