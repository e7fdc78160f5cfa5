/*
 * @pxe/udp-batch: many UDP datagrams per system call for Node (Linux sendmmsg / recvmmsg), as
 * a Node-API addon. Node's `dgram` makes one system call and, on receive, one allocation and one
 * JavaScript event per datagram; a TFTP window of 64 blocks is 64 of each. This hands the kernel
 * a whole window at once. Built with the C compiler at install/build time
 * (scripts/build-native.mjs); the TypeScript wrapper (src/index.ts) validates every argument
 * before it comes here, and this file checks them again: bad input is -EINVAL, never a crash.
 *
 *   sendBatch(fd, datagrams: Uint8Array[]) -> datagrams sent (>= 0) or -errno
 *     one sendmmsg(MSG_DONTWAIT) on a connected socket, at most 256 datagrams.
 *   recvBatch(fd, buf: Uint8Array, slot: number, lengths: Int32Array) -> count or -errno
 *     one recvmmsg(MSG_DONTWAIT) into consecutive slots of `slot` bytes of `buf`; the length
 *     of datagram i is lengths[i] (a datagram longer than its slot is cut to the slot size).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#define MAXBATCH 256

/* A typed array of the given element type: its data pointer and its length in elements. */
static int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is = false;
  napi_typedarray_type t;
  napi_value ab;
  size_t off;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  if (napi_get_typedarray_info(env, v, &t, len, data, &ab, &off) != napi_ok) return 0;
  return t == want;
}

static napi_value result(napi_env env, int r) {
  napi_value out;
  napi_create_int32(env, r < 0 ? -errno : r, &out);
  return out;
}

static napi_value send_batch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd = -1;
  uint32_t n = 0;
  struct mmsghdr msgs[MAXBATCH];
  struct iovec iov[MAXBATCH];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      fd < 0 || napi_get_array_length(env, argv[1], &n) != napi_ok) {
    errno = EINVAL;
    return result(env, -1);
  }
  if (n > MAXBATCH) n = MAXBATCH;
  if (n == 0) return result(env, 0);
  memset(msgs, 0, sizeof(msgs[0]) * n);
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    void *data;
    size_t len;
    if (napi_get_element(env, argv[1], i, &el) != napi_ok || !typed(env, el, napi_uint8_array, &data, &len)) {
      errno = EINVAL;
      return result(env, -1);
    }
    iov[i].iov_base = data;
    iov[i].iov_len = len;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  return result(env, sendmmsg(fd, msgs, n, MSG_DONTWAIT));
}

static napi_value recv_batch(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd = -1, slot = 0;
  void *data, *lens;
  size_t len, nlens;
  struct mmsghdr msgs[MAXBATCH];
  struct iovec iov[MAXBATCH];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 || !typed(env, argv[1], napi_uint8_array, &data, &len) ||
      napi_get_value_int32(env, argv[2], &slot) != napi_ok || slot <= 0 ||
      !typed(env, argv[3], napi_int32_array, &lens, &nlens)) {
    errno = EINVAL;
    return result(env, -1);
  }
  size_t n = len / (size_t)slot;
  if (n > nlens) n = nlens;
  if (n > MAXBATCH) n = MAXBATCH;
  if (n == 0) return result(env, 0);
  memset(msgs, 0, sizeof(msgs[0]) * n);
  for (size_t i = 0; i < n; i++) {
    iov[i].iov_base = (char *)data + i * (size_t)slot;
    iov[i].iov_len = (size_t)slot;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int r = recvmmsg(fd, msgs, (unsigned)n, MSG_DONTWAIT, NULL);
  for (int i = 0; i < r; i++) ((int32_t *)lens)[i] = (int32_t)msgs[i].msg_len;
  return result(env, r);
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "sendBatch", NAPI_AUTO_LENGTH, send_batch, NULL, &f);
  napi_set_named_property(env, exports, "sendBatch", f);
  napi_create_function(env, "recvBatch", NAPI_AUTO_LENGTH, recv_batch, NULL, &f);
  napi_set_named_property(env, exports, "recvBatch", f);
  return exports;
}
