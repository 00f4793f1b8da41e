/*
 * berth_files: writes a batch of new regular files on the thread pool, each
 * with its owner, mode, xattrs and mtime, in one job: open(O_EXCL), write,
 * fchown, fchmod, fsetxattr, futimens, close. Unpacking a layer makes
 * thousands of small files; one thread-pool job per call (seven per file)
 * cost more main-thread time in wake-ups than the calls themselves.
 *
 *   writeFiles(paths: string[], data: Buffer[][], meta: Float64Array,
 *              xattrs: Array<Array<string | Buffer>>) -> Promise<void>
 *
 * meta holds uid, gid, mode, mtime (seconds, may be fractional) per file;
 * xattrs[i] is [name, value, name, value, …] for file i. The files are
 * written in order; the first failure stops the batch and rejects with an
 * Error like Node's (code "EEXIST", errno, "open PATH: strerror").
 */
#define _GNU_SOURCE
#include "berth_napi.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "napi call failed: " #call); return NULL; } } while (0)

typedef struct {
  char *path;
  struct iovec *iov;
  uint32_t niov;
  uint32_t nx;
  char **xname;
  struct iovec *xval;
  double uid, gid, mode, mtime;
} file_t;

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref keep; /* the arguments: keeps the buffers alive while the job runs */
  file_t *files;
  uint32_t n;
  int err;
  const char *what;
  const char *path;
} batch_t;

static char *str_of(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static void free_batch(batch_t *b) {
  for (uint32_t i = 0; i < b->n; i++) {
    file_t *f = &b->files[i];
    free(f->path);
    free(f->iov);
    for (uint32_t j = 0; j < f->nx; j++) free(f->xname[j]);
    free(f->xname);
    free(f->xval);
  }
  free(b->files);
  free(b);
}

static int write_all(int fd, struct iovec *iov, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    char *p = iov[i].iov_base;
    size_t left = iov[i].iov_len;
    while (left > 0) {
      ssize_t w = write(fd, p, left);
      if (w < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      p += w;
      left -= (size_t)w;
    }
  }
  return 0;
}

/* One file; on failure sets b->what and returns errno. */
static int write_one(batch_t *b, file_t *f) {
  int fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) { b->what = "open"; return errno; }
  int e = 0;
  if (write_all(fd, f->iov, f->niov) != 0) { b->what = "write"; e = errno; goto out; }
  if (fchown(fd, (uid_t)f->uid, (gid_t)f->gid) != 0) { b->what = "fchown"; e = errno; goto out; }
  if (fchmod(fd, (mode_t)f->mode & 07777) != 0) { b->what = "fchmod"; e = errno; goto out; }
  for (uint32_t j = 0; j < f->nx; j++) {
    if (fsetxattr(fd, f->xname[j], f->xval[j].iov_base, f->xval[j].iov_len, 0) != 0 && errno != ENOTSUP && errno != EOPNOTSUPP) {
      b->what = "fsetxattr"; e = errno; goto out;
    }
  }
  time_t sec = (time_t)f->mtime;
  if ((double)sec > f->mtime) sec--; /* floor, for times before 1970 */
  struct timespec ts[2];
  ts[0].tv_sec = sec;
  ts[0].tv_nsec = (long)((f->mtime - (double)sec) * 1e9); /* as libuv converts fs.futimes' seconds */
  ts[1] = ts[0];
  if (futimens(fd, ts) != 0) { b->what = "futimens"; e = errno; goto out; }
out:
  if (close(fd) != 0 && e == 0) { b->what = "close"; e = errno; }
  return e;
}

static void execute(napi_env env, void *data) {
  batch_t *b = data;
  for (uint32_t i = 0; i < b->n; i++) {
    int e = write_one(b, &b->files[i]);
    if (e) { b->err = e; b->path = b->files[i].path; return; }
  }
}

static void complete(napi_env env, napi_status status, void *data) {
  batch_t *b = data;
  if (b->err || status != napi_ok) {
    napi_reject_deferred(env, b->deferred, berth_errno_error(env, b->err ? b->err : EIO, b->what ? b->what : "write", b->path));
  } else {
    napi_value u;
    napi_get_undefined(env, &u);
    napi_resolve_deferred(env, b->deferred, u);
  }
  napi_delete_reference(env, b->keep);
  napi_delete_async_work(env, b->work);
  free_batch(b);
}

/* Fills f from the JS arguments of file i; false on a malformed argument. */
static int read_file(napi_env env, file_t *f, napi_value path, napi_value chunks, const double *meta, napi_value xs) {
  f->path = str_of(env, path);
  if (!f->path) return 0;
  if (napi_get_array_length(env, chunks, &f->niov) != napi_ok) return 0;
  f->iov = calloc(f->niov ? f->niov : 1, sizeof *f->iov);
  for (uint32_t j = 0; j < f->niov; j++) {
    napi_value c;
    napi_get_element(env, chunks, j, &c);
    if (napi_get_buffer_info(env, c, &f->iov[j].iov_base, &f->iov[j].iov_len) != napi_ok) return 0;
  }
  f->uid = meta[0];
  f->gid = meta[1];
  f->mode = meta[2];
  f->mtime = meta[3];
  uint32_t nxv = 0;
  if (napi_get_array_length(env, xs, &nxv) != napi_ok) return 0;
  f->nx = nxv / 2;
  f->xname = calloc(f->nx ? f->nx : 1, sizeof *f->xname);
  f->xval = calloc(f->nx ? f->nx : 1, sizeof *f->xval);
  for (uint32_t j = 0; j < f->nx; j++) {
    napi_value name, val;
    napi_get_element(env, xs, 2 * j, &name);
    napi_get_element(env, xs, 2 * j + 1, &val);
    f->xname[j] = str_of(env, name);
    if (!f->xname[j] || napi_get_buffer_info(env, val, &f->xval[j].iov_base, &f->xval[j].iov_len) != napi_ok) return 0;
  }
  return 1;
}

static napi_value js_write_files(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  uint32_t n = 0;
  CHECK(napi_get_array_length(env, a[0], &n));
  napi_typedarray_type tt;
  size_t mlen = 0;
  void *mdata = NULL;
  CHECK(napi_get_typedarray_info(env, a[2], &tt, &mlen, &mdata, NULL, NULL));
  if (tt != napi_float64_array || mlen < (size_t)n * 4) {
    napi_throw_type_error(env, NULL, "writeFiles: meta must be a Float64Array of 4 numbers per file");
    return NULL;
  }
  batch_t *b = calloc(1, sizeof *b);
  b->files = calloc(n ? n : 1, sizeof *b->files);
  b->n = n;
  for (uint32_t i = 0; i < n; i++) {
    napi_value p, c, x;
    napi_get_element(env, a[0], i, &p);
    napi_get_element(env, a[1], i, &c);
    napi_get_element(env, a[3], i, &x);
    if (!read_file(env, &b->files[i], p, c, (const double *)mdata + 4 * i, x)) {
      b->n = i + 1;
      free_batch(b);
      napi_throw_type_error(env, NULL, "writeFiles: malformed arguments");
      return NULL;
    }
  }
  napi_value args, promise, name;
  napi_create_array_with_length(env, 4, &args);
  for (uint32_t i = 0; i < 4; i++) napi_set_element(env, args, i, a[i]);
  CHECK(napi_create_reference(env, args, 1, &b->keep));
  CHECK(napi_create_promise(env, &b->deferred, &promise));
  napi_create_string_utf8(env, "berth.writeFiles", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_create_async_work(env, NULL, name, execute, complete, b, &b->work));
  CHECK(napi_queue_async_work(env, b->work));
  return promise;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
    { "writeFiles", NULL, js_write_files, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
