/*
 * @pxe/udp-batch: many UDP datagrams per system call for Node (Linux sendmmsg / recvmmsg), as
 * a Node-API addon. Node's `dgram` makes one system call and, on receive, one allocation and one
 * JavaScript event per datagram; a TFTP window of 64 blocks is 64 of each. This hands the kernel
 * a whole window at once. Built with the C compiler at install/build time
 * (scripts/build-native.mjs); the TypeScript wrapper (src/index.ts) validates every argument
 * before it comes here, and this file checks them again: bad input is -EINVAL, never a crash.
 *
 *   sendBatch(fd, datagrams: Uint8Array[], segments: number) -> datagrams sent (>= 0) or -errno
 *     one sendmmsg(MSG_DONTWAIT) on a connected socket, at most 256 datagrams. With segments
 *     >= 2, runs of datagrams of one length (the last of a run may be shorter) travel as one
 *     message of up to `segments` datagrams with a UDP_SEGMENT control message (UDP GSO, Linux
 *     4.18): the kernel gathers them from their buffers and cuts them apart again, so each still
 *     leaves as its own datagram, for one pass through the stack instead of one per datagram.
 *   recvBatch(fd, buf: Uint8Array, slot: number, lengths: Int32Array) -> count or -errno
 *     one recvmmsg(MSG_DONTWAIT) into consecutive slots of `slot` bytes of `buf`; the length
 *     of datagram i is lengths[i] (a datagram longer than its slot is cut to the slot size).
 *   setGro(fd) -> 0 or -errno
 *     UDP_GRO on the socket (Linux 5.0): the kernel may hand over several datagrams of one
 *     flow as one message, with their size in a control message.
 *   recvSegments(fd, buf: Uint8Array, msgBytes: number, out: Int32Array) -> count or -errno
 *     one recvmmsg(MSG_DONTWAIT) into consecutive `msgBytes` slots of `buf`; out[2i] is the
 *     length of message i, out[2i+1] the size of the datagrams it holds (UDP_GRO; 0 when it
 *     holds one datagram).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <stdbool.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <sys/socket.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define MAXBATCH 256
/* Datagrams of one GSO message at most (the kernel's UDP_MAX_SEGMENTS is 64 before Linux 6.x). */
#define MAXSEGS 64
/* Bytes of one GSO message at most: it is one IP packet before segmentation. */
#define GSO_MAX_BYTES 64000
/* Messages of one recvSegments call at most. */
#define MAXMSGS 64

union gso_ctl {
  char buf[CMSG_SPACE(sizeof(uint16_t))];
  struct cmsghdr align;
};
union gro_ctl {
  char buf[CMSG_SPACE(sizeof(int))];
  struct cmsghdr align;
};

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
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd = -1, segmax = 0;
  uint32_t n = 0;
  struct mmsghdr msgs[MAXBATCH];
  struct iovec iov[MAXBATCH];
  union gso_ctl ctl[MAXBATCH];
  uint32_t count[MAXBATCH];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      fd < 0 || napi_get_array_length(env, argv[1], &n) != napi_ok) {
    errno = EINVAL;
    return result(env, -1);
  }
  if (argc >= 3 && napi_get_value_int32(env, argv[2], &segmax) != napi_ok) segmax = 0;
  if (segmax > MAXSEGS) segmax = MAXSEGS;
  if (n > MAXBATCH) n = MAXBATCH;
  if (n == 0) return result(env, 0);
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
  }
  uint32_t m = 0;
  for (uint32_t i = 0; i < n; m++) {
    size_t seg = iov[i].iov_len, total = seg;
    uint32_t k = 1;
    if (segmax >= 2 && seg > 0) {
      /* equal-sized datagrams, then at most one shorter (non-empty) one to end the run */
      while (i + k < n && k < (uint32_t)segmax && iov[i + k].iov_len == seg && total + seg <= GSO_MAX_BYTES) {
        total += seg;
        k++;
      }
      if (i + k < n && k < (uint32_t)segmax && iov[i + k].iov_len > 0 && iov[i + k].iov_len < seg &&
          total + iov[i + k].iov_len <= GSO_MAX_BYTES) {
        total += iov[i + k].iov_len;
        k++;
      }
    }
    memset(&msgs[m], 0, sizeof msgs[m]);
    msgs[m].msg_hdr.msg_iov = &iov[i];
    msgs[m].msg_hdr.msg_iovlen = k;
    if (k > 1) {
      memset(&ctl[m], 0, sizeof ctl[m]);
      msgs[m].msg_hdr.msg_control = ctl[m].buf;
      msgs[m].msg_hdr.msg_controllen = sizeof ctl[m].buf;
      struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[m].msg_hdr);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t s16 = (uint16_t)seg;
      memcpy(CMSG_DATA(c), &s16, sizeof s16);
    }
    count[m] = k;
    i += k;
  }
  int r = sendmmsg(fd, msgs, m, MSG_DONTWAIT);
  if (r < 0) return result(env, -1);
  int sent = 0;
  for (int j = 0; j < r; j++) sent += (int)count[j];
  return result(env, sent);
}

/* The arguments of a batched read: (fd, area: Uint8Array, slot bytes > 0, out: Int32Array). */
struct read_args {
  int32_t fd, slot;
  void *area, *out;
  size_t len, nout;
};

/* Reads them; 0 (errno EINVAL) when any is missing or of the wrong kind. */
static int get_read_args(napi_env env, napi_callback_info info, struct read_args *a) {
  size_t argc = 4;
  napi_value argv[4];
  a->fd = -1;
  a->slot = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4 ||
      napi_get_value_int32(env, argv[0], &a->fd) != napi_ok || a->fd < 0 ||
      !typed(env, argv[1], napi_uint8_array, &a->area, &a->len) ||
      napi_get_value_int32(env, argv[2], &a->slot) != napi_ok || a->slot <= 0 ||
      !typed(env, argv[3], napi_int32_array, &a->out, &a->nout)) {
    errno = EINVAL;
    return 0;
  }
  return 1;
}

/* Points message i of `n` at slot i of the area (one iovec each). */
static void point_slots(struct mmsghdr *msgs, struct iovec *iov, const struct read_args *a, size_t n) {
  memset(msgs, 0, sizeof(msgs[0]) * n);
  for (size_t i = 0; i < n; i++) {
    iov[i].iov_base = (char *)a->area + i * (size_t)a->slot;
    iov[i].iov_len = (size_t)a->slot;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
}

static napi_value recv_batch(napi_env env, napi_callback_info info) {
  struct read_args a;
  struct mmsghdr msgs[MAXBATCH];
  struct iovec iov[MAXBATCH];
  if (!get_read_args(env, info, &a)) return result(env, -1);
  size_t n = a.len / (size_t)a.slot;
  if (n > a.nout) n = a.nout;
  if (n > MAXBATCH) n = MAXBATCH;
  if (n == 0) return result(env, 0);
  point_slots(msgs, iov, &a, n);
  int r = recvmmsg(a.fd, msgs, (unsigned)n, MSG_DONTWAIT, NULL);
  for (int i = 0; i < r; i++) ((int32_t *)a.out)[i] = (int32_t)msgs[i].msg_len;
  return result(env, r);
}

static napi_value set_gro(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    errno = EINVAL;
    return result(env, -1);
  }
  int one = 1;
  return result(env, setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one));
}

static napi_value recv_segments(napi_env env, napi_callback_info info) {
  struct read_args a;
  struct mmsghdr msgs[MAXMSGS];
  struct iovec iov[MAXMSGS];
  union gro_ctl ctl[MAXMSGS];
  if (!get_read_args(env, info, &a)) return result(env, -1);
  size_t n = a.len / (size_t)a.slot;
  if (n > a.nout / 2) n = a.nout / 2;
  if (n > MAXMSGS) n = MAXMSGS;
  if (n == 0) return result(env, 0);
  point_slots(msgs, iov, &a, n);
  for (size_t i = 0; i < n; i++) {
    msgs[i].msg_hdr.msg_control = ctl[i].buf;
    msgs[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
  }
  int r = recvmmsg(a.fd, msgs, (unsigned)n, MSG_DONTWAIT, NULL);
  int32_t *out = (int32_t *)a.out;
  for (int i = 0; i < r; i++) {
    int gso = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c != NULL; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
      if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) memcpy(&gso, CMSG_DATA(c), sizeof gso);
    out[2 * i] = (int32_t)msgs[i].msg_len;
    /* a cut message (longer than its slot) reports -1: the caller drops it */
    out[2 * i + 1] = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? -1 : (gso > 0 ? gso : 0);
  }
  return result(env, r);
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "sendBatch", NAPI_AUTO_LENGTH, send_batch, NULL, &f);
  napi_set_named_property(env, exports, "sendBatch", f);
  napi_create_function(env, "recvBatch", NAPI_AUTO_LENGTH, recv_batch, NULL, &f);
  napi_set_named_property(env, exports, "recvBatch", f);
  napi_create_function(env, "setGro", NAPI_AUTO_LENGTH, set_gro, NULL, &f);
  napi_set_named_property(env, exports, "setGro", f);
  napi_create_function(env, "recvSegments", NAPI_AUTO_LENGTH, recv_segments, NULL, &f);
  napi_set_named_property(env, exports, "recvSegments", f);
  return exports;
}
