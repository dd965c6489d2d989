/*
 * @torsion/native: listening TCP/UNIX sockets and their accepted connections, driven by libuv
 * on Node's own event loop (napi_get_uv_event_loop), called back into JavaScript through
 * napi_make_callback with one async context per handle.
 *
 * Ownership, in one place:
 * - Every handle is a `struct handle` allocated here and freed in its close callback. JavaScript
 *   holds it by its slot number in the environment's handle table (no External, so nothing of
 *   ours waits for a garbage collection) and forgets it in its `close` callback. While open, the handle keeps a strong reference to its JS
 *   wrapper object, so the wrapper lives as long as the socket does.
 * - Received bytes are read into a slab (an ArrayBuffer owned by JavaScript) at an offset that
 *   only moves forward; a slab is replaced, never reused, when too little of it is left. So a
 *   Buffer carved from it stays valid for as long as a protocol keeps it.
 * - A connection marked `borrowed` (its protocol consumes data during the call) reads into the
 *   environment's one borrow buffer instead, overwritten by the next read of any such
 *   connection: no allocation per read. Reads are delivered synchronously, one at a time, so
 *   one buffer serves them all.
 * - A write that the kernel does not take at once (uv_try_write first) is queued with uv_write,
 *   holding a reference to the JS Buffer (or array of Buffers) until its callback; bytes that
 *   lie in the borrow buffer are copied instead (it is overwritten by the next read), so no
 *   write ever keeps a borrowed chunk past the call.
 *
 * Everything lives in per-environment instance data: no globals, so worker threads and several
 * reactors each have their own. An async cleanup hook closes what is still open when the
 * environment is torn down (a worker ends).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4 */
#endif
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#define SLAB_SIZE (512 * 1024)
#define SLAB_MIN_FREE (64 * 1024) /* a whole 64 KiB read: a split read means split writes, and Nagle */
/* Borrowed reads: up to BORROW_SIZE while the connection has nothing queued for writing (fewer
 * system calls and callbacks when streaming), READ_SIZE once it has (flow control stops reading
 * past its high-water mark, and what one read adds beyond it stays as small as node:net's). */
#define BORROW_SIZE (256 * 1024)
#define READ_SIZE (64 * 1024)
/* Copies of borrowed bytes that must wait for the kernel: small ones in the request's own
 * allocation, larger ones in COPY_BLOCK blocks recycled per environment (up to COPY_CACHE of
 * them): allocating and freeing 64-256 KiB per write would have glibc trim and fault the pages
 * in again on every one, which costs more than the copy. */
#define COPY_SMALL (8 * 1024)
#define COPY_BLOCK (64 * 1024)
#define COPY_CACHE 128
#define COPY_MAX_BLOCKS 8
#define STACK_BUFS 16
#define ACCEPT_BATCH 128 /* connections accepted per readiness callback (then other handles run) */

#define CHECK(call)                                                                          \
  do {                                                                                       \
    if ((call) != napi_ok) return NULL;                                                      \
  } while (0)

enum { CB_CONNECTION, CB_READ, CB_WRITTEN, CB_FINISH, CB_CLOSE, CB_COUNT };
enum { KIND_TCP = 1, KIND_PIPE = 2, KIND_LISTENER = 3 };

struct handle;

typedef struct env_data {
  napi_env env;
  uv_loop_t* loop;
  napi_ref callbacks[CB_COUNT];
  napi_ref slab_ref;
  char* slab;
  size_t slab_used;
  napi_ref borrow_ref; /* the borrow buffer (an ArrayBuffer of BORROW_SIZE), made on first use */
  char* borrow;
  char* blocks[COPY_CACHE]; /* free COPY_BLOCK blocks */
  unsigned free_blocks;
  struct handle* handles; /* every open handle, to close them at environment teardown */
  struct handle** table;  /* slot number -> handle, for JavaScript */
  uint32_t table_size;
  uint32_t free_slot;     /* a hint: the lowest slot that may be free */
  napi_async_cleanup_hook_handle cleanup;
  int tearing_down;
} env_data;

typedef struct handle {
  union {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    uv_poll_t poll; /* KIND_LISTENER */
  } u;
  int kind;
  uint32_t slot;
  int closing;
  int reading;
  int borrowed; /* reads go to the borrow buffer */
  env_data* d;
  napi_ref self;
  napi_async_context actx;
  struct handle* prev;
  struct handle* next;
} handle;

/* A listening socket: a descriptor bound and listened on here, watched by the handle's uv_poll_t,
 * and accepted from here. Not uv_listen: libuv accepts by itself there and, out of descriptors,
 * closes what it cannot accept without telling anyone; here accepting stops instead (the
 * connections wait in the backlog) until JavaScript resumes it. */
typedef struct listener {
  handle h; /* first, so a listener is a handle */
  int fd;
  int child_kind;  /* KIND_TCP or KIND_PIPE: what accept() makes */
  int accepted_fd; /* accepted, offered to JavaScript's connection callback; -1 when none */
  int paused;      /* polling stopped after an accept error, until resumeAccept() */
} listener;

typedef struct write_req {
  uv_write_t req;
  napi_ref data; /* the JS Buffer(s) being written, or NULL when copies hold the bytes */
  size_t bytes;
  unsigned nblocks;                /* COPY_BLOCK blocks holding the copy */
  char* blocks[COPY_MAX_BLOCKS];
  char copy[];                     /* or here, a small copy */
} write_req;

/* --- helpers ------------------------------------------------------------------------------ */

static env_data* get_data(napi_env env) {
  void* d = NULL;
  napi_get_instance_data(env, &d);
  return (env_data*)d;
}

static napi_value number(napi_env env, double v) {
  napi_value out;
  napi_create_double(env, v, &out);
  return out;
}

/* The hot paths' numbers (sizes, offsets, libuv codes) are small integers: a Smi, no double. */
static napi_value int32(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

static handle* get_handle(napi_env env, napi_value v) {
  uint32_t slot;
  if (napi_get_value_uint32(env, v, &slot) != napi_ok) return NULL;
  env_data* d = get_data(env);
  if (slot >= d->table_size) return NULL;
  handle* h = d->table[slot];
  return h != NULL && !h->closing ? h : NULL;
}

static int take_slot(env_data* d, handle* h) {
  uint32_t i = d->free_slot;
  while (i < d->table_size && d->table[i] != NULL) i++;
  if (i == d->table_size) {
    uint32_t size = d->table_size == 0 ? 64 : d->table_size * 2;
    handle** table = (handle**)realloc(d->table, sizeof(handle*) * size);
    if (table == NULL) return -1;
    memset(table + d->table_size, 0, sizeof(handle*) * (size - d->table_size));
    d->table = table;
    d->table_size = size;
  }
  d->table[i] = h;
  h->slot = i;
  d->free_slot = i + 1;
  return 0;
}

static napi_value throw_closed(napi_env env) {
  napi_throw_error(env, "ERR_SOCKET_CLOSED", "Socket is closed");
  return NULL;
}

/* Call callback `which` with the handle's wrapper as `this`, in the handle's async context.
 * Runs microtasks and nextTicks afterwards when nothing else is on the stack (as node:net). */
static void call_js(handle* h, int which, size_t argc, napi_value* argv) {
  env_data* d = h->d;
  napi_env env = d->env;
  napi_value fn, recv, result;
  if (napi_get_reference_value(env, d->callbacks[which], &fn) != napi_ok || fn == NULL) return;
  if (napi_get_reference_value(env, h->self, &recv) != napi_ok || recv == NULL) return;
  if (napi_make_callback(env, h->actx, recv, fn, argc, argv, &result) == napi_pending_exception) {
    napi_value error;
    if (napi_get_and_clear_last_exception(env, &error) == napi_ok) napi_fatal_exception(env, error);
  }
}

static void link_handle(env_data* d, handle* h) {
  h->d = d;
  h->prev = NULL;
  h->next = d->handles;
  if (d->handles != NULL) d->handles->prev = h;
  d->handles = h;
}

static void unlink_handle(env_data* d, handle* h) {
  d->table[h->slot] = NULL;
  if (h->slot < d->free_slot) d->free_slot = h->slot;
  if (h->prev != NULL) h->prev->next = h->next;
  else d->handles = h->next;
  if (h->next != NULL) h->next->prev = h->prev;
}

static void on_closed(uv_handle_t* uvh) {
  handle* h = (handle*)uvh->data;
  env_data* d = h->d;
  napi_env env = d->env;
  unlink_handle(d, h);
  if (!d->tearing_down && h->self != NULL) {
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    call_js(h, CB_CLOSE, 0, NULL);
    napi_close_handle_scope(env, scope);
  }
  if (!d->tearing_down) {
    if (h->actx != NULL) napi_async_destroy(env, h->actx);
    if (h->self != NULL) napi_delete_reference(env, h->self);
  }
  free(h);
  if (d->tearing_down && d->handles == NULL && d->cleanup != NULL) {
    napi_async_cleanup_hook_handle c = d->cleanup;
    d->cleanup = NULL;
    napi_remove_async_cleanup_hook(c);
  }
}

static void close_handle(handle* h) {
  if (h->closing) return;
  h->closing = 1;
  uv_close(&h->u.handle, on_closed);
  if (h->kind == KIND_LISTENER) {
    /* uv_close stopped the poll watcher (and dropped it from epoll): the descriptor can go. */
    listener* l = (listener*)h;
    if (l->accepted_fd >= 0) close(l->accepted_fd);
    l->accepted_fd = -1;
    close(l->fd);
    l->fd = -1;
  }
}

/* Make the handle's async context and strong reference to its wrapper. Called from JavaScript,
 * so the context's trigger is whatever runs now (the listen call, or the server's accept). */
static int adopt_wrapper(napi_env env, handle* h, napi_value wrapper, const char* name) {
  napi_value resource_name;
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name) != napi_ok) return -1;
  if (napi_async_init(env, wrapper, resource_name, &h->actx) != napi_ok) return -1;
  if (napi_create_reference(env, wrapper, 1, &h->self) != napi_ok) return -1;
  return 0;
}

static handle* new_handle(env_data* d, int kind) {
  handle* h = (handle*)calloc(1, sizeof(handle));
  if (h == NULL) return NULL;
  if (take_slot(d, h) != 0) {
    free(h);
    return NULL;
  }
  int r = kind == KIND_TCP ? uv_tcp_init(d->loop, &h->u.tcp) : uv_pipe_init(d->loop, &h->u.pipe, 0);
  if (r != 0) {
    d->table[h->slot] = NULL;
    if (h->slot < d->free_slot) d->free_slot = h->slot;
    free(h);
    return NULL;
  }
  h->kind = kind;
  h->u.handle.data = h;
  link_handle(d, h);
  return h;
}

static napi_value wrap(napi_env env, handle* h) {
  return number(env, h->slot);
}

static int get_string(napi_env env, napi_value v, char* buf, size_t size) {
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok) return -1;
  return len + 1 < size ? 0 : -1;
}

/* --- reading ------------------------------------------------------------------------------- */

static int new_slab(env_data* d) {
  napi_env env = d->env;
  napi_value ab;
  void* data;
  if (napi_create_arraybuffer(env, SLAB_SIZE, &data, &ab) != napi_ok) return -1;
  if (d->slab_ref != NULL) napi_delete_reference(env, d->slab_ref);
  napi_create_reference(env, ab, 1, &d->slab_ref);
  d->slab = (char*)data;
  d->slab_used = 0;
  return 0;
}

static int new_borrow(env_data* d) {
  napi_env env = d->env;
  napi_handle_scope scope;
  napi_value ab;
  void* data;
  int r = -1;
  napi_open_handle_scope(env, &scope);
  if (napi_create_arraybuffer(env, BORROW_SIZE, &data, &ab) == napi_ok &&
      napi_create_reference(env, ab, 1, &d->borrow_ref) == napi_ok) {
    d->borrow = (char*)data;
    r = 0;
  }
  napi_close_handle_scope(env, scope);
  return r;
}

static int is_borrowed(env_data* d, const char* p) {
  return d->borrow != NULL && p >= d->borrow && p < d->borrow + BORROW_SIZE;
}

static void on_alloc(uv_handle_t* uvh, size_t suggested, uv_buf_t* buf) {
  handle* h = (handle*)uvh->data;
  env_data* d = h->d;
  (void)suggested;
  if (h->borrowed) {
    if (d->borrow == NULL && new_borrow(d) != 0) {
      *buf = uv_buf_init(NULL, 0);
      return;
    }
    *buf = uv_buf_init(d->borrow, h->u.stream.write_queue_size == 0 ? BORROW_SIZE : READ_SIZE);
    return;
  }
  if (d->slab == NULL || SLAB_SIZE - d->slab_used < SLAB_MIN_FREE) {
    napi_handle_scope scope;
    napi_open_handle_scope(d->env, &scope);
    int r = new_slab(d);
    napi_close_handle_scope(d->env, scope);
    if (r != 0) {
      *buf = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS */
      return;
    }
  }
  /* At most 64 KiB per read, as node:net: flow control can stop reading after any one read. */
  *buf = uv_buf_init(d->slab + d->slab_used, SLAB_MIN_FREE);
}

static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  handle* h = (handle*)stream->data;
  env_data* d = h->d;
  if (nread == 0 || h->closing || d->tearing_down) return;
  napi_env env = d->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  /* read(nread[, slab, offset]): a borrowed read is at offset 0 of the borrow buffer, which the
   * JS side already knows (borrowBuffer()); an owned one names its slab and offset. */
  napi_value argv[3];
  size_t argc = 1;
  argv[0] = int32(env, (int32_t)nread);
  if (nread > 0 && buf->base != d->borrow) {
    size_t offset = d->slab_used;
    /* Keep the next read 8-byte aligned; the bytes just read now belong to their Buffer. */
    d->slab_used += ((size_t)nread + 7) & ~(size_t)7;
    napi_get_reference_value(env, d->slab_ref, &argv[1]);
    argv[2] = int32(env, (int32_t)offset);
    argc = 3;
  } else if (nread < 0) {
    /* EOF or an error: the JS side stops reading on EOF and closes on an error. */
    uv_read_stop(stream);
    h->reading = 0;
  }
  call_js(h, CB_READ, argc, argv);
  napi_close_handle_scope(env, scope);
}

/* --- exported functions -------------------------------------------------------------------- */

/* init({ connection, read, written, finish, close }): the callbacks for this environment. */
static napi_value js_init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  static const char* names[CB_COUNT] = {"connection", "read", "written", "finish", "close"};
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  env_data* d = get_data(env);
  for (int i = 0; i < CB_COUNT; i++) {
    napi_value fn;
    napi_valuetype t;
    CHECK(napi_get_named_property(env, argv[0], names[i], &fn));
    CHECK(napi_typeof(env, fn, &t));
    if (t != napi_function) {
      napi_throw_type_error(env, NULL, "init: every callback must be a function");
      return NULL;
    }
    if (d->callbacks[i] != NULL) napi_delete_reference(env, d->callbacks[i]);
    CHECK(napi_create_reference(env, fn, 1, &d->callbacks[i]));
  }
  return NULL;
}

/* --- listening and accepting ----------------------------------------------------------------- */

/* A listener handle watching `fd` (bound and listening) for readiness. */
static listener* new_listener(env_data* d, int child_kind, int fd) {
  listener* l = (listener*)calloc(1, sizeof(listener));
  if (l == NULL) return NULL;
  handle* h = &l->h;
  if (take_slot(d, h) != 0) {
    free(l);
    return NULL;
  }
  if (uv_poll_init_socket(d->loop, &h->u.poll, fd) != 0) {
    d->table[h->slot] = NULL;
    if (h->slot < d->free_slot) d->free_slot = h->slot;
    free(l);
    return NULL;
  }
  h->kind = KIND_LISTENER;
  h->u.handle.data = h;
  l->fd = fd;
  l->child_kind = child_kind;
  l->accepted_fd = -1;
  link_handle(d, h);
  return l;
}

static void report_accept(listener* l, int status) {
  napi_env env = l->h.d->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value argv[1] = {number(env, status)};
  call_js(&l->h, CB_CONNECTION, 1, argv);
  napi_close_handle_scope(env, scope);
}

/* Non-blocking, close-on-exec descriptors (one call on Linux, fcntl elsewhere). */
static int set_flags(int fd) {
  if (fd >= 0 && (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
                  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)) {
    int err = errno;
    close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

static int accept_nonblocking(int fd) {
#ifdef __linux__
  return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
  return set_flags(accept(fd, NULL, NULL));
#endif
}

static int socket_nonblocking(int family) {
#ifdef __linux__
  return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
#else
  return set_flags(socket(family, SOCK_STREAM, 0));
#endif
}

/* An accept error about that one connection (it went away, or a network error was pending on
 * it: accept(2) says to retry), not about the listening socket or the process. */
static int accept_error_is_transient(int err) {
  switch (err) {
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
#ifdef ENONET
    case ENONET:
#endif
      return 1;
    default:
      return 0;
  }
}

/* The listening socket is readable: accept what is pending (at most ACCEPT_BATCH; the poll is
 * level-triggered, so the rest comes next iteration), offering each to JavaScript, which takes
 * it with accept(). An error that is not about one connection (EMFILE, ENFILE, ENOBUFS, ...)
 * stops polling, so the loop does not spin on a listening socket that stays readable; the
 * pending connections wait in the backlog and JavaScript resumes polling later. */
static void on_acceptable(uv_poll_t* poll, int status, int events) {
  listener* l = (listener*)poll->data;
  (void)events;
  for (int i = 0; i < ACCEPT_BATCH; i++) {
    if (l->h.closing || l->h.d->tearing_down || l->paused) return;
    int err = status;
    if (err == 0) {
      int fd = accept_nonblocking(l->fd);
      if (fd >= 0) {
        l->accepted_fd = fd;
        report_accept(l, 0);
        if (l->accepted_fd >= 0) close(l->accepted_fd); /* not taken (the server is closing) */
        l->accepted_fd = -1;
        continue;
      }
      err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) return;
      if (accept_error_is_transient(err)) continue;
      err = uv_translate_sys_error(err);
    }
    uv_poll_stop(poll);
    l->paused = 1;
    report_accept(l, err);
    return;
  }
}

/* Start watching a bound, listening descriptor; returns the handle's slot, or (negative) error. */
static napi_value start_listener(napi_env env, napi_value wrapper, int child_kind, int fd,
                                 const char* name) {
  listener* l = new_listener(get_data(env), child_kind, fd);
  if (l == NULL) {
    close(fd);
    napi_throw_error(env, NULL, "cannot create a listening handle");
    return NULL;
  }
  if (adopt_wrapper(env, &l->h, wrapper, name) != 0) {
    close_handle(&l->h);
    napi_throw_error(env, NULL, "cannot create the server's async context");
    return NULL;
  }
  uv_poll_start(&l->h.u.poll, UV_READABLE, on_acceptable);
  return wrap(env, &l->h);
}

/* { errno, syscall } for a failed listen (node:net reports bind failures as `listen` too). */
static napi_value listen_failure(napi_env env, int err, const char* syscall) {
  napi_value out, sc;
  CHECK(napi_create_object(env, &out));
  CHECK(napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc));
  CHECK(napi_set_named_property(env, out, "errno", number(env, err)));
  CHECK(napi_set_named_property(env, out, "syscall", sc));
  return out;
}

/* socket() + options + bind() + listen(), as uv_tcp_bind/uv_pipe_bind and uv_listen do; returns
 * the descriptor, or a negative libuv error with *syscall set. */
static int bind_listen(int family, const struct sockaddr* addr, socklen_t len, int v6only,
                       int backlog, const char** syscall) {
  *syscall = "socket";
  int fd = socket_nonblocking(family);
  if (fd < 0) return uv_translate_sys_error(errno);
  int on = 1;
  int only = v6only != 0; /* set either way, as libuv: dual stack whatever the system default */
  if (family != AF_UNIX) {
    *syscall = "setsockopt";
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only) != 0))
      goto fail;
  }
  *syscall = "bind";
  if (bind(fd, addr, len) != 0) {
    if (errno == EADDRINUSE) *syscall = "listen"; /* libuv reports it at listen, as node:net */
    goto fail;
  }
  *syscall = "listen";
  if (listen(fd, backlog) != 0) goto fail;
  return fd;
fail: {
  int err = errno;
  close(fd);
  /* libuv's conventions: EAFNOSUPPORT is EINVAL; a UNIX path in a missing directory EACCES. */
  if (err == EAFNOSUPPORT) return UV_EINVAL;
  if (family == AF_UNIX && err == ENOENT) return UV_EACCES;
  return uv_translate_sys_error(err);
}
}

/* listenTCP(wrapper, host, port, backlog, ipv6Only) */
static napi_value js_listen_tcp(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  char host[128];
  int32_t port, backlog;
  bool v6only;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (get_string(env, argv[1], host, sizeof host) != 0) {
    napi_throw_type_error(env, NULL, "listenTCP: bad host");
    return NULL;
  }
  CHECK(napi_get_value_int32(env, argv[2], &port));
  CHECK(napi_get_value_int32(env, argv[3], &backlog));
  CHECK(napi_get_value_bool(env, argv[4], &v6only));
  struct sockaddr_storage addr;
  int v6 = strchr(host, ':') != NULL;
  int err = v6 ? uv_ip6_addr(host, port, (struct sockaddr_in6*)&addr)
               : uv_ip4_addr(host, port, (struct sockaddr_in*)&addr);
  if (err != 0) return listen_failure(env, err, "bind");
  const char* syscall;
  int fd = bind_listen(v6 ? AF_INET6 : AF_INET, (struct sockaddr*)&addr,
                       v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in), v6only,
                       backlog, &syscall);
  if (fd < 0) return listen_failure(env, fd, syscall);
  return start_listener(env, argv[0], KIND_TCP, fd, "TorsionNativeServer");
}

/* listenPipe(wrapper, path, backlog) */
static napi_value js_listen_pipe(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  char path[4096];
  int32_t backlog;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (get_string(env, argv[1], path, sizeof path) != 0) {
    napi_throw_type_error(env, NULL, "listenPipe: bad path");
    return NULL;
  }
  CHECK(napi_get_value_int32(env, argv[2], &backlog));
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof addr.sun_path) return listen_failure(env, UV_EINVAL, "bind");
  memcpy(addr.sun_path, path, strlen(path));
  const char* syscall;
  int fd = bind_listen(AF_UNIX, (struct sockaddr*)&addr, sizeof addr, 0, backlog, &syscall);
  if (fd < 0) return listen_failure(env, fd, syscall);
  return start_listener(env, argv[0], KIND_PIPE, fd, "TorsionNativeServer");
}

/* accept(server, wrapper): inside the connection callback, the connection just accepted as a
 * handle (already reading), or a libuv error. */
static napi_value js_accept(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* server = get_handle(env, argv[0]);
  if (server == NULL || server->kind != KIND_LISTENER) return throw_closed(env);
  listener* l = (listener*)server;
  int fd = l->accepted_fd;
  if (fd < 0) return number(env, UV_EAGAIN);
  l->accepted_fd = -1;
  handle* h = new_handle(server->d, l->child_kind);
  if (h == NULL) {
    close(fd);
    return number(env, UV_ENOMEM);
  }
  int err = h->kind == KIND_TCP ? uv_tcp_open(&h->u.tcp, fd) : uv_pipe_open(&h->u.pipe, fd);
  if (err != 0) close(fd); /* the handle did not take it */
  if (err == 0) err = uv_read_start(&h->u.stream, on_alloc, on_read);
  if (err != 0) {
    close_handle(h);
    return number(env, err);
  }
  h->reading = 1;
  if (adopt_wrapper(env, h, argv[1], "TorsionNativeSocket") != 0) {
    close_handle(h);
    return number(env, UV_ENOMEM);
  }
  return wrap(env, h);
}

/* resumeAccept(server): poll again after an accept error paused it. */
static napi_value js_resume_accept(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL || h->kind != KIND_LISTENER) return number(env, UV_EBADF);
  listener* l = (listener*)h;
  if (!l->paused) return number(env, 0);
  l->paused = 0;
  return number(env, uv_poll_start(&h->u.poll, UV_READABLE, on_acceptable));
}

static napi_value fill_address(napi_env env, napi_value out, struct sockaddr_storage* ss) {
  char name[INET6_ADDRSTRLEN + 1] = "";
  int port = 0;
  const char* family;
  if (ss->ss_family == AF_INET6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)ss;
    uv_ip6_name(a, name, sizeof name);
    port = ntohs(a->sin6_port);
    family = "IPv6";
  } else {
    struct sockaddr_in* a = (struct sockaddr_in*)ss;
    uv_ip4_name(a, name, sizeof name);
    port = ntohs(a->sin_port);
    family = "IPv4";
  }
  napi_value v;
  CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, out, "address", v));
  CHECK(napi_set_named_property(env, out, "port", number(env, port)));
  CHECK(napi_create_string_utf8(env, family, NAPI_AUTO_LENGTH, &v));
  CHECK(napi_set_named_property(env, out, "family", v));
  return number(env, 0);
}

/* sockname(h, out) / peername(h, out): fill { address, port, family }; returns 0 or an error. */
static napi_value get_name(napi_env env, napi_callback_info info, int peer) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL) return number(env, UV_EBADF);
  struct sockaddr_storage ss;
  int len = sizeof ss;
  int err;
  if (h->kind == KIND_LISTENER && !peer && ((listener*)h)->child_kind == KIND_TCP) {
    socklen_t slen = sizeof ss;
    err = getsockname(((listener*)h)->fd, (struct sockaddr*)&ss, &slen) == 0
              ? 0
              : uv_translate_sys_error(errno);
  } else if (h->kind == KIND_TCP) {
    err = peer ? uv_tcp_getpeername(&h->u.tcp, (struct sockaddr*)&ss, &len)
               : uv_tcp_getsockname(&h->u.tcp, (struct sockaddr*)&ss, &len);
  } else {
    return number(env, UV_ENOTSUP);
  }
  if (err != 0) return number(env, err);
  return fill_address(env, argv[1], &ss);
}

static napi_value js_sockname(napi_env env, napi_callback_info info) {
  return get_name(env, info, 0);
}

static napi_value js_peername(napi_env env, napi_callback_info info) {
  return get_name(env, info, 1);
}

static void on_written(uv_write_t* req, int status) {
  write_req* w = (write_req*)req;
  handle* h = (handle*)req->handle->data;
  env_data* d = h->d;
  if (!d->tearing_down) {
    napi_env env = d->env;
    napi_handle_scope scope;
    napi_open_handle_scope(env, &scope);
    if (w->data != NULL) napi_delete_reference(env, w->data);
    if (!h->closing) {
      napi_value argv[2] = {number(env, (double)w->bytes), int32(env, status)};
      call_js(h, CB_WRITTEN, 2, argv);
    }
    napi_close_handle_scope(env, scope);
  }
  for (unsigned i = 0; i < w->nblocks; i++) {
    if (!d->tearing_down && d->free_blocks < COPY_CACHE) d->blocks[d->free_blocks++] = w->blocks[i];
    else free(w->blocks[i]);
  }
  free(w);
}

static char* take_block(env_data* d) {
  return d->free_blocks > 0 ? d->blocks[--d->free_blocks] : (char*)malloc(COPY_BLOCK);
}

/* Copy `bufs` (`total` bytes) into `w`: its own area (allocated with the request), or recycled
 * blocks with `in_blocks`; fills `out` with the buffers to write and returns how many (0: out of
 * memory, the caller frees the blocks taken). */
static unsigned copy_bufs(env_data* d, write_req* w, const uv_buf_t* bufs, size_t n, size_t total,
                          int in_blocks, uv_buf_t* out) {
  if (!in_blocks) {
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
      memcpy(w->copy + at, bufs[i].base, bufs[i].len);
      at += bufs[i].len;
    }
    out[0] = uv_buf_init(w->copy, (unsigned int)total);
    return 1;
  }
  unsigned nb = (unsigned)((total + COPY_BLOCK - 1) / COPY_BLOCK);
  for (unsigned b = 0; b < nb; b++) {
    char* block = take_block(d);
    if (block == NULL) return 0;
    w->blocks[w->nblocks++] = block;
    out[b] = uv_buf_init(block, 0);
  }
  unsigned b = 0;
  for (size_t i = 0; i < n; i++) {
    const char* src = bufs[i].base;
    size_t left = bufs[i].len;
    while (left > 0) {
      size_t room = COPY_BLOCK - out[b].len;
      if (room == 0) {
        b++;
        continue;
      }
      size_t k = left < room ? left : room;
      memcpy(out[b].base + out[b].len, src, k);
      out[b].len += (unsigned int)k;
      src += k;
      left -= k;
    }
  }
  return nb;
}

/* Send `bufs` now as far as the kernel takes them (uv_try_write, IOV_MAX at a time), queue the
 * rest with uv_write keeping `owner` alive (or a copy of borrowed bytes). Returns the bytes
 * queued, undefined when all were sent, or a (negative) error. */
static napi_value send_bufs(napi_env env, handle* h, napi_value owner, uv_buf_t* bufs, size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) total += bufs[i].len;
  size_t first = 0;
  while (first < n) {
    int r = uv_try_write(&h->u.stream, bufs + first, (unsigned int)(n - first));
    if (r == UV_EAGAIN || r == UV_ENOSYS) break;
    if (r < 0) return int32(env, r);
    size_t written = (size_t)r;
    total -= written;
    while (first < n && written >= bufs[first].len) written -= bufs[first++].len;
    if (first < n && written > 0) {
      bufs[first].base += written;
      bufs[first].len -= written;
      break; /* the kernel's buffer is full */
    }
    /* Whole buffers went out: either all of them, or IOV_MAX of them; try the next batch. */
  }
  while (first < n && bufs[first].len == 0) first++;
  if (first == n) return NULL; /* all sent: undefined, no number to make */
  env_data* d = h->d;
  int borrowed = 0;
  for (size_t i = first; i < n && !borrowed; i++) borrowed = is_borrowed(d, bufs[i].base);
  /* A copy too large for COPY_MAX_BLOCKS (a long writev) goes in one allocation. */
  int in_blocks = borrowed && total > COPY_SMALL && total <= (size_t)COPY_BLOCK * COPY_MAX_BLOCKS;
  write_req* w = (write_req*)malloc(sizeof(write_req) + (borrowed && !in_blocks ? total : 0));
  if (w == NULL) return int32(env, UV_ENOMEM);
  w->bytes = total;
  w->data = NULL;
  w->nblocks = 0;
  uv_buf_t copies[COPY_MAX_BLOCKS];
  if (borrowed) {
    /* The borrow buffer is overwritten by the next read: queue a copy of what is left. */
    unsigned k = copy_bufs(d, w, bufs + first, n - first, total, in_blocks, copies);
    if (k == 0) {
      for (unsigned i = 0; i < w->nblocks; i++) free(w->blocks[i]);
      free(w);
      return int32(env, UV_ENOMEM);
    }
    bufs = copies;
    first = 0;
    n = k;
  } else if (napi_create_reference(env, owner, 1, &w->data) != napi_ok) {
    free(w);
    return int32(env, UV_ENOMEM);
  }
  int err = uv_write(&w->req, &h->u.stream, bufs + first, (unsigned int)(n - first), on_written);
  if (err != 0) {
    if (w->data != NULL) napi_delete_reference(env, w->data);
    for (unsigned i = 0; i < w->nblocks; i++) free(w->blocks[i]);
    free(w);
    return int32(env, err);
  }
  return number(env, (double)total);
}

/* writeBorrowed(h, length): write the first `length` bytes of the borrow buffer (the JS side
 * passes a borrowed view it handed out this way: no Buffer to look into). */
static napi_value js_write_borrowed(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t len;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL) return int32(env, UV_EBADF);
  CHECK(napi_get_value_uint32(env, argv[1], &len));
  if (h->d->borrow == NULL || len > BORROW_SIZE) {
    napi_throw_range_error(env, NULL, "writeBorrowed: bad length");
    return NULL;
  }
  uv_buf_t buf = uv_buf_init(h->d->borrow, len);
  return send_bufs(env, h, NULL, &buf, 1);
}

/* borrowBuffer(): the borrow buffer (an ArrayBuffer), made now if no read made it yet. */
static napi_value js_borrow_buffer(napi_env env, napi_callback_info info) {
  env_data* d = get_data(env);
  napi_value ab;
  if (d->borrow == NULL && new_borrow(d) != 0) {
    napi_throw_error(env, NULL, "cannot allocate the borrow buffer");
    return NULL;
  }
  CHECK(napi_get_reference_value(env, d->borrow_ref, &ab));
  return ab;
}

/* write(h, buffer) */
static napi_value js_write(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL) return number(env, UV_EBADF);
  void* data;
  size_t len;
  if (napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "write: expected a Buffer");
    return NULL;
  }
  uv_buf_t buf = uv_buf_init((char*)data, (unsigned int)len);
  return send_bufs(env, h, argv[1], &buf, 1);
}

/* writev(h, buffers) */
static napi_value js_writev(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL) return number(env, UV_EBADF);
  uint32_t n;
  CHECK(napi_get_array_length(env, argv[1], &n));
  uv_buf_t stack[STACK_BUFS];
  uv_buf_t* bufs = n <= STACK_BUFS ? stack : (uv_buf_t*)malloc(sizeof(uv_buf_t) * n);
  if (bufs == NULL) return number(env, UV_ENOMEM);
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    void* data;
    size_t len;
    if (napi_get_element(env, argv[1], i, &item) != napi_ok ||
        napi_get_buffer_info(env, item, &data, &len) != napi_ok) {
      if (bufs != stack) free(bufs);
      napi_throw_type_error(env, NULL, "writev: expected an array of Buffers");
      return NULL;
    }
    bufs[i] = uv_buf_init((char*)data, (unsigned int)len);
  }
  napi_value result = send_bufs(env, h, argv[1], bufs, n);
  if (bufs != stack) free(bufs);
  return result;
}

static void on_shutdown(uv_shutdown_t* req, int status) {
  handle* h = (handle*)req->handle->data;
  env_data* d = h->d;
  free(req);
  if (d->tearing_down || h->closing) return;
  napi_handle_scope scope;
  napi_open_handle_scope(d->env, &scope);
  napi_value argv[1] = {number(d->env, status)};
  call_js(h, CB_FINISH, 1, argv);
  napi_close_handle_scope(d->env, scope);
}

/* shutdown(h): FIN once queued writes are done; `finish(status)` follows. */
static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL) return number(env, UV_EBADF);
  uv_shutdown_t* req = (uv_shutdown_t*)malloc(sizeof(uv_shutdown_t));
  if (req == NULL) return number(env, UV_ENOMEM);
  int err = uv_shutdown(req, &h->u.stream, on_shutdown);
  if (err != 0) free(req);
  return number(env, err);
}

/* close(h, reset): close now (with RST when `reset` and it is a TCP socket that was not shut
 * down); `close()` follows. */
static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bool reset = false;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL) return NULL;
  if (argc > 1) napi_get_value_bool(env, argv[1], &reset);
  if (reset && h->kind == KIND_TCP) {
    h->closing = 1;
    if (uv_tcp_close_reset(&h->u.tcp, on_closed) == 0) return NULL;
    h->closing = 0; /* libuv refused (shut down already): close plainly */
  }
  close_handle(h);
  return NULL;
}

/* readStart(h) / readStop(h) */
static napi_value set_reading(napi_env env, napi_callback_info info, int on) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL || h->reading == on) return number(env, 0);
  int err = on ? uv_read_start(&h->u.stream, on_alloc, on_read) : uv_read_stop(&h->u.stream);
  if (err == 0) h->reading = on;
  return number(env, err);
}

static napi_value js_read_start(napi_env env, napi_callback_info info) {
  return set_reading(env, info, 1);
}

static napi_value js_read_stop(napi_env env, napi_callback_info info) {
  return set_reading(env, info, 0);
}

/* setBorrowed(h, on): whether reads go to the borrow buffer (see the top of this file). */
static napi_value js_set_borrowed(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bool on;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  CHECK(napi_get_value_bool(env, argv[1], &on));
  if (h != NULL) h->borrowed = on;
  return NULL;
}

/* setNoDelay(h, on) / setKeepAlive(h, on, delaySeconds): no-ops on UNIX sockets. */
static napi_value js_set_no_delay(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bool on;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  CHECK(napi_get_value_bool(env, argv[1], &on));
  if (h == NULL || h->kind != KIND_TCP) return number(env, 0);
  return number(env, uv_tcp_nodelay(&h->u.tcp, on));
}

static napi_value js_set_keep_alive(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  bool on;
  uint32_t delay;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  CHECK(napi_get_value_bool(env, argv[1], &on));
  CHECK(napi_get_value_uint32(env, argv[2], &delay));
  if (h == NULL || h->kind != KIND_TCP) return number(env, 0);
  return number(env, uv_tcp_keepalive(&h->u.tcp, on, delay));
}

/* ref(h, on): whether the handle keeps the event loop (the process) alive. */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  bool on;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  CHECK(napi_get_value_bool(env, argv[1], &on));
  if (h == NULL) return NULL;
  if (on) uv_ref(&h->u.handle);
  else uv_unref(&h->u.handle);
  return NULL;
}

/* handOver(h): stop reading and return a duplicate of the descriptor (for node:net to take over,
 * as STARTTLS needs); the JS side closes this handle once its queued writes are done. */
static napi_value js_hand_over(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  handle* h = get_handle(env, argv[0]);
  if (h == NULL) return number(env, UV_EBADF);
  uv_os_fd_t fd;
  int err = uv_fileno(&h->u.handle, &fd);
  if (err != 0) return number(env, err);
  if (h->reading) uv_read_stop(&h->u.stream);
  h->reading = 0;
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  return number(env, copy < 0 ? uv_translate_sys_error(errno) : copy);
}

/* --- environment lifetime ------------------------------------------------------------------- */

static void on_teardown(napi_async_cleanup_hook_handle hook, void* arg) {
  env_data* d = (env_data*)arg;
  d->tearing_down = 1;
  for (int i = 0; i < CB_COUNT; i++) {
    if (d->callbacks[i] != NULL) napi_delete_reference(d->env, d->callbacks[i]);
    d->callbacks[i] = NULL;
  }
  if (d->slab_ref != NULL) napi_delete_reference(d->env, d->slab_ref);
  d->slab_ref = NULL;
  d->slab = NULL;
  if (d->borrow_ref != NULL) napi_delete_reference(d->env, d->borrow_ref);
  d->borrow_ref = NULL;
  d->borrow = NULL;
  if (d->handles == NULL) {
    d->cleanup = NULL;
    napi_remove_async_cleanup_hook(hook);
    return;
  }
  for (handle* h = d->handles; h != NULL; h = h->next) close_handle(h);
}

static void free_data(napi_env env, void* data, void* hint) {
  env_data* d = (env_data*)data;
  (void)env;
  (void)hint;
  /* The references were deleted at teardown; only our own memory is left to free. */
  for (unsigned i = 0; i < d->free_blocks; i++) free(d->blocks[i]);
  free(d->table);
  free(d);
}

NAPI_MODULE_INIT() {
  env_data* d = (env_data*)calloc(1, sizeof(env_data));
  if (d == NULL) return NULL;
  d->env = env;
  if (napi_get_uv_event_loop(env, &d->loop) != napi_ok ||
      napi_set_instance_data(env, d, free_data, NULL) != napi_ok) {
    free(d);
    return NULL;
  }
  napi_add_async_cleanup_hook(env, on_teardown, d, &d->cleanup);
  static const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {
      {"init", js_init},           {"listenTCP", js_listen_tcp},
      {"listenPipe", js_listen_pipe}, {"accept", js_accept},
      {"sockname", js_sockname},   {"peername", js_peername},
      {"write", js_write},         {"writev", js_writev},
      {"shutdown", js_shutdown},   {"close", js_close},
      {"readStart", js_read_start}, {"readStop", js_read_stop},
      {"setNoDelay", js_set_no_delay}, {"setKeepAlive", js_set_keep_alive},
      {"ref", js_ref},             {"handOver", js_hand_over},
      {"setBorrowed", js_set_borrowed}, {"writeBorrowed", js_write_borrowed},
      {"borrowBuffer", js_borrow_buffer}, {"resumeAccept", js_resume_accept},
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value fn;
    CHECK(napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn));
    CHECK(napi_set_named_property(env, exports, fns[i].name, fn));
  }
  return exports;
}
