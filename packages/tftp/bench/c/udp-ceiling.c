/*
 * udp-ceiling: the loopback UDP ceiling for one datagram size, measured with one
 * sender and one receiver process (what a TFTP sender/receiver pair could at best
 * move through the kernel, with no protocol on top). Built by the benchmark at run
 * time (gcc -O2); not part of the published package.
 *
 *   udp-ceiling recv <port> <count> <idle_ms> <rcvbuf_bytes>
 *     binds 127.0.0.1:<port>, receives (recvmmsg) until <count> datagrams arrived
 *     or nothing arrived for <idle_ms>; prints one JSON line: datagrams, bytes, and
 *     the CLOCK_MONOTONIC times of the first and last datagram.
 *   udp-ceiling send <port> <size> <count> <batch> <sndbuf_bytes>
 *     sends <count> datagrams of <size> bytes to 127.0.0.1:<port> as fast as the
 *     kernel takes them: batch 1 = one sendto() per datagram, batch > 1 = sendmmsg()
 *     with that many datagrams per call. ENOBUFS/EAGAIN are retried after a yield.
 *     Prints one JSON line with its CLOCK_MONOTONIC start time.
 *
 *   udp-ceiling recv <port> <count> <idle_ms> <rcvbuf_bytes> gro
 *     the same with UDP_GRO on the socket (Linux 5.0): coalesced messages are counted as the
 *     datagrams they hold (their size comes in a control message).
 *   udp-ceiling sendgso <port> <size> <count> <segments> <sndbuf_bytes>
 *     the same as send, but <segments> datagrams per sendmsg() as one segmented message
 *     (UDP_SEGMENT, Linux 4.18; at most 64 and 64000 bytes per message); the kernel cuts
 *     them into datagrams of <size> bytes.
 *
 *   udp-ceiling fit <size> <rcvbuf_bytes>
 *     how many datagrams of <size> bytes a receive buffer holds before the kernel drops
 *     (0 = the system default SO_RCVBUF): sends 4096 to a socket that does not read,
 *     then counts what is queued; prints the effective SO_RCVBUF and the count.
 *
 * CLOCK_MONOTONIC is system-wide, so the ceiling is bytes received / (receiver's
 * last datagram - sender's start): datagrams parked in the receive buffer count
 * only when they are read; a sender that outruns
 * the receiver shows up as lost datagrams (count - datagrams), which is reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#define MAXBATCH 64
#define MAXDGRAM 65535
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_buf(int fd, int opt_force, int opt, int bytes) {
  if (bytes <= 0) return;
  /* the *FORCE variants ignore net.core.[rw]mem_max but need CAP_NET_ADMIN */
  if (setsockopt(fd, SOL_SOCKET, opt_force, &bytes, sizeof bytes) != 0)
    setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
}

static int do_recv(int port, long count, int idle_ms, int rcvbuf, int gro) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 2; }
  set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, rcvbuf);
  if (gro) {
    int one = 1;
    if (setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one) != 0) { perror("UDP_GRO"); return 2; }
  }
  static union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl[MAXBATCH];
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); return 2; }
  struct timeval tv = {idle_ms / 1000, (idle_ms % 1000) * 1000};
  static char bufs[MAXBATCH][MAXDGRAM];
  struct mmsghdr msgs[MAXBATCH];
  struct iovec iov[MAXBATCH];
  for (int i = 0; i < MAXBATCH; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = MAXDGRAM;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  /* ready marker for the harness */
  printf("{\"ready\":true}\n");
  fflush(stdout);
  long got = 0;
  long long bytes = 0;
  double t0 = 0, t1 = 0;
  /* no timeout until the first datagram (the sender may start late) */
  struct timeval first = {30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &first, sizeof first);
  while (got < count) {
    for (int i = 0; i < MAXBATCH && gro; i++) {
      msgs[i].msg_hdr.msg_control = ctl[i].buf;
      msgs[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
    }
    int n = recvmmsg(fd, msgs, MAXBATCH, MSG_WAITFORONE, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      break; /* EAGAIN: idle timeout */
    }
    double t = now_s();
    if (got == 0) {
      t0 = t;
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    t1 = t;
    for (int i = 0; i < n; i++) {
      bytes += msgs[i].msg_len;
      int seg = 0;
      if (gro)
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
          if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) memcpy(&seg, CMSG_DATA(c), sizeof seg);
      got += seg > 0 ? (long)((msgs[i].msg_len + (unsigned)seg - 1) / (unsigned)seg) : 1;
    }
  }
  printf("{\"datagrams\":%ld,\"bytes\":%lld,\"seconds\":%.6f,\"first\":%.6f,\"last\":%.6f}\n", got, bytes,
         t1 - t0, t0, t1);
  return 0;
}

/* One sendmsg of k datagrams of `size` bytes from `run` as a segmented message; k or -1. */
static int send_segmented(int fd, char *run, int size, int k) {
  struct iovec v = {run, (size_t)size * (size_t)k};
  union { char buf[CMSG_SPACE(sizeof(uint16_t))]; struct cmsghdr align; } c;
  struct msghdr h;
  memset(&h, 0, sizeof h);
  memset(&c, 0, sizeof c);
  h.msg_iov = &v;
  h.msg_iovlen = 1;
  if (k > 1) {
    h.msg_control = c.buf;
    h.msg_controllen = sizeof c.buf;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&h);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t s16 = (uint16_t)size;
    memcpy(CMSG_DATA(cm), &s16, sizeof s16);
  }
  return sendmsg(fd, &h, 0) < 0 ? -1 : k;
}

static int do_send(int port, int size, long count, int batch, int sndbuf, int gso) {
  if (size < 1 || size > MAXDGRAM - 28) { fprintf(stderr, "bad size\n"); return 2; }
  if (batch < 1) batch = 1;
  if (batch > MAXBATCH) batch = MAXBATCH;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 2; }
  set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, sndbuf);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 2; }
  char *buf = malloc((size_t)size);
  if (!buf) return 2;
  for (int i = 0; i < size; i++) buf[i] = (char)(i * 131 + 7);
  char *run = NULL;
  if (gso) {
    /* <batch> datagrams per segmented message, laid out back to back */
    if (batch > 64) batch = 64;
    while (batch > 1 && (long)batch * size > 64000) batch--;
    run = malloc((size_t)size * (size_t)batch);
    if (!run) return 2;
    for (int i = 0; i < batch; i++) memcpy(run + (size_t)i * (size_t)size, buf, (size_t)size);
  }
  struct mmsghdr msgs[MAXBATCH];
  struct iovec iov[MAXBATCH];
  for (int i = 0; i < MAXBATCH; i++) {
    iov[i].iov_base = buf;
    iov[i].iov_len = (size_t)size;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  long sent = 0, retries = 0;
  double t0 = now_s();
  while (sent < count) {
    long left = count - sent;
    int n;
    if (gso) {
      n = send_segmented(fd, run, size, (int)(left < batch ? left : batch));
    } else if (batch == 1) {
      n = send(fd, buf, (size_t)size, 0) < 0 ? -1 : 1;
    } else {
      n = sendmmsg(fd, msgs, (unsigned)(left < batch ? left : batch), 0);
    }
    if (n < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR || errno == ECONNREFUSED) {
        retries++;
        sched_yield();
        continue;
      }
      perror("send");
      return 1;
    }
    sent += n;
  }
  double t1 = now_s();
  printf("{\"sent\":%ld,\"seconds\":%.6f,\"start\":%.6f,\"retries\":%ld}\n", sent, t1 - t0, t0,
         retries);
  return 0;
}

static int do_fit(int size, int rcvbuf) {
  if (size < 1 || size > MAXDGRAM - 28) { fprintf(stderr, "bad size\n"); return 2; }
  int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0);
  if (r < 0 || s < 0) { perror("socket"); return 2; }
  if (rcvbuf > 0) setsockopt(r, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in a = {0};
  socklen_t al = sizeof a;
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(r, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(r, (struct sockaddr *)&a, &al) != 0) {
    perror("bind");
    return 2;
  }
  int eff = 0;
  socklen_t el = sizeof eff;
  getsockopt(r, SOL_SOCKET, SO_RCVBUF, &eff, &el);
  static char buf[MAXDGRAM];
  for (int i = 0; i < 4096; i++) sendto(s, buf, (size_t)size, 0, (struct sockaddr *)&a, sizeof a);
  int n = 0;
  while (recv(r, buf, sizeof buf, MSG_DONTWAIT) >= 0) n++;
  printf("{\"size\":%d,\"rcvbuf\":%d,\"fit\":%d}\n", size, eff, n);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "fit") == 0) return do_fit(atoi(argv[2]), atoi(argv[3]));
  if (argc >= 6 && strcmp(argv[1], "recv") == 0)
    return do_recv(atoi(argv[2]), atol(argv[3]), atoi(argv[4]), atoi(argv[5]),
                   argc >= 7 && strcmp(argv[6], "gro") == 0);
  if (argc >= 7 && strcmp(argv[1], "send") == 0)
    return do_send(atoi(argv[2]), atoi(argv[3]), atol(argv[4]), atoi(argv[5]), atoi(argv[6]), 0);
  if (argc >= 7 && strcmp(argv[1], "sendgso") == 0)
    return do_send(atoi(argv[2]), atoi(argv[3]), atol(argv[4]), atoi(argv[5]), atoi(argv[6]), 1);
  fprintf(stderr,
          "usage: udp-ceiling recv <port> <count> <idle_ms> <rcvbuf> [gro]\n"
          "       udp-ceiling send <port> <size> <count> <batch> <sndbuf>\n"
          "       udp-ceiling sendgso <port> <size> <count> <segments> <sndbuf>\n"
          "       udp-ceiling fit <size> <rcvbuf>\n");
  return 2;
}
