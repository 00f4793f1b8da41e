/*
 * berth_attach: a client for conmon's attach socket (AF_UNIX,
 * SOCK_SEQPACKET), which Node's `net` cannot open, as a Node-API addon.
 * The socket is watched with a uv_poll handle on Node's own event loop:
 * no thread, no process per attach.
 *
 *   connect(dir)             -> fd: connects to DIR/attach through
 *                               /proc/self/fd/N/attach (N an O_PATH fd of
 *                               DIR), so the 108-byte sun_path limit never
 *                               bites; the fd is non-blocking.
 *   watch(fd, cb)            -> handle; cb(kind, data): kind 0 = one packet
 *                               (Buffer), 1 = EOF, 2 = error (errno number),
 *                               3 = writable (only while wantWritable).
 *   wantWritable(handle, on) -> also wake up on POLLOUT.
 *   send(fd, buffer)         -> bytes sent as one packet, or -1 on EAGAIN.
 *   shutdownWrite(fd)        -> shutdown(SHUT_WR): the container's stdin closes.
 *   close(handle)            -> stops watching and closes the fd (safe from
 *                               inside cb; safe twice).
 */
#define _GNU_SOURCE
#include "berth_napi.h"
#include <uv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "napi call failed: " #call); return NULL; } } while (0)
#define PACKET_MAX 65536

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref cb;
  napi_async_context ctx;
  int fd;
  int events;
  int closing;
  int in_cb;
} watch_t;

static napi_value throw_errno(napi_env env, const char *what) { return berth_throw(env, errno, what, NULL); }

static napi_value undef(napi_env env) { napi_value u; napi_get_undefined(env, &u); return u; }

static napi_value js_connect(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  char dir[4096]; size_t len = 0;
  if (napi_get_value_string_utf8(env, a[0], dir, sizeof dir, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "connect(dir): dir must be a string");
    return NULL;
  }
  int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return throw_errno(env, "open attach directory");
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) { close(dfd); return throw_errno(env, "socket"); }
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/attach", dfd);
  int r;
  do { r = connect(fd, (struct sockaddr *)&addr, sizeof addr); } while (r < 0 && errno == EINTR);
  int saved = errno;
  close(dfd);
  if (r < 0) { close(fd); errno = saved; return throw_errno(env, "connect attach socket"); }
  int fl = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  napi_value ret;
  CHECK(napi_create_int32(env, fd, &ret));
  return ret;
}

static void on_closed(uv_handle_t *h) {
  watch_t *w = (watch_t *)h->data;
  close(w->fd);
  napi_delete_reference(w->env, w->cb);
  napi_async_destroy(w->env, w->ctx);
  free(w);
}

static void do_close(watch_t *w) {
  if (w->closing) return;
  w->closing = 1;
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

/* Calls cb(kind, data) inside a callback scope; a throw becomes an uncaught exception. */
static void call_js(watch_t *w, int kind, napi_value data) {
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, recv, argv[2], result;
  napi_get_reference_value(env, w->cb, &cb);
  napi_get_global(env, &recv);
  napi_create_int32(env, kind, &argv[0]);
  argv[1] = data ? data : undef(env);
  w->in_cb++;
  napi_status st = napi_make_callback(env, w->ctx, recv, cb, 2, argv, &result);
  w->in_cb--;
  if (st == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  watch_t *w = (watch_t *)h->data;
  if (w->closing) return;
  if (status < 0) {
    napi_handle_scope scope;
    napi_open_handle_scope(w->env, &scope);
    napi_value n; napi_create_int32(w->env, status, &n);
    call_js(w, 2, n);
    napi_close_handle_scope(w->env, scope);
    return;
  }
  if (events & UV_WRITABLE) {
    call_js(w, 3, NULL);
    if (w->closing) return;
  }
  if (!(events & (UV_READABLE | UV_DISCONNECT))) return;
  static char buf[PACKET_MAX];
  for (int i = 0; i < 64 && !w->closing; i++) {
    ssize_t n = recv(w->fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      int e = errno;
      napi_handle_scope scope;
      napi_open_handle_scope(w->env, &scope);
      napi_value v; napi_create_int32(w->env, -e, &v);
      w->events &= ~(UV_READABLE | UV_DISCONNECT);
      uv_poll_start(&w->poll, w->events, on_poll);
      call_js(w, 2, v);
      napi_close_handle_scope(w->env, scope);
      return;
    }
    if (n == 0) {
      w->events &= ~(UV_READABLE | UV_DISCONNECT);
      if (w->events) uv_poll_start(&w->poll, w->events, on_poll);
      else uv_poll_stop(&w->poll);
      call_js(w, 1, NULL);
      return;
    }
    napi_handle_scope scope;
    napi_open_handle_scope(w->env, &scope);
    void *data; napi_value b;
    napi_create_buffer_copy(w->env, (size_t)n, buf, &data, &b);
    call_js(w, 0, b);
    napi_close_handle_scope(w->env, scope);
  }
}

static watch_t *get_watch(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return (watch_t *)p;
}

static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value a[2];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, a[0], &fd));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  watch_t *w = calloc(1, sizeof *w);
  w->env = env;
  w->fd = fd;
  w->events = UV_READABLE | UV_DISCONNECT;
  CHECK(napi_create_reference(env, a[1], 1, &w->cb));
  napi_value name;
  napi_create_string_utf8(env, "berth_attach", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_async_init(env, NULL, name, &w->ctx));
  if (uv_poll_init(loop, &w->poll, fd) != 0) {
    napi_delete_reference(env, w->cb);
    napi_async_destroy(env, w->ctx);
    free(w);
    napi_throw_error(env, NULL, "uv_poll_init failed");
    return NULL;
  }
  w->poll.data = w;
  uv_poll_start(&w->poll, w->events, on_poll);
  napi_value ext;
  CHECK(napi_create_external(env, w, NULL, NULL, &ext));
  return ext;
}

static napi_value js_want_writable(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value a[2];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  watch_t *w = get_watch(env, a[0]);
  bool on = false;
  napi_get_value_bool(env, a[1], &on);
  if (!w || w->closing) return undef(env);
  w->events = on ? (w->events | UV_WRITABLE) : (w->events & ~UV_WRITABLE);
  if (w->events) uv_poll_start(&w->poll, w->events, on_poll);
  else uv_poll_stop(&w->poll);
  return undef(env);
}

static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value a[2];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, a[0], &fd));
  void *data; size_t len;
  CHECK(napi_get_buffer_info(env, a[1], &data, &len));
  ssize_t n;
  do { n = send(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) n = -1;
    else return throw_errno(env, "send");
  }
  napi_value ret;
  CHECK(napi_create_int64(env, n, &ret));
  return ret;
}

static napi_value js_shutdown_write(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, a[0], &fd));
  if (shutdown(fd, SHUT_WR) < 0 && errno != ENOTCONN) return throw_errno(env, "shutdown");
  return undef(env);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  watch_t *w = get_watch(env, a[0]);
  if (w) do_close(w);
  return undef(env);
}

/* close a bare fd (one never watched). */
static napi_value js_close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value a[1];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, a[0], &fd));
  close(fd);
  return undef(env);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"connect", NULL, js_connect, NULL, NULL, NULL, napi_default, NULL},
    {"watch", NULL, js_watch, NULL, NULL, NULL, napi_default, NULL},
    {"wantWritable", NULL, js_want_writable, NULL, NULL, NULL, napi_default, NULL},
    {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
    {"shutdownWrite", NULL, js_shutdown_write, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
    {"closeFd", NULL, js_close_fd, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
