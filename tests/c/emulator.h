/* Starts the emulator binary ($QCDN_EMULATOR_BIN) as a process on port 0 for
 * the C and C++ client tests, and talks to its admin API. POSIX only. */
#ifndef QCDN_TEST_EMULATOR_H
#define QCDN_TEST_EMULATOR_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define API_KEY "c-test-api-key"


static pid_t emulator_pid = -1;
static FILE *emulator_out; /* kept open: the emulator writes more lines and must not get EPIPE */
static int emulator_port;
static char emulator_url[64];

/* Starts the emulator binary and reads its port from the first stdout line. */
static inline int start_emulator(void) {
    const char *bin = getenv("QCDN_EMULATOR_BIN");
    if (bin == NULL) {
        fprintf(stderr, "QCDN_EMULATOR_BIN is not set\n");
        return -1;
    }
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(bin, bin, "--listen", "127.0.0.1:0", "--api-key", API_KEY, "--signing-key-bits", "2048", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    emulator_pid = pid;
    FILE *out = fdopen(fds[0], "r");
    if (out == NULL) {
        close(fds[0]);
        return -1;
    }
    char line[256];
    const char *prefix = "qencode-cdn emulator listening on http://127.0.0.1:";
    int port = -1;
    if (fgets(line, sizeof line, out) != NULL && strncmp(line, prefix, strlen(prefix)) == 0) {
        port = atoi(line + strlen(prefix));
    }
    emulator_out = out;
    if (port <= 0) {
        fprintf(stderr, "the emulator did not print its address (got: %s)\n", line);
        return -1;
    }
    emulator_port = port;
    snprintf(emulator_url, sizeof emulator_url, "http://127.0.0.1:%d", port);
    return 0;
}

static inline void stop_emulator(void) {
    if (emulator_pid > 0) {
        kill(emulator_pid, SIGTERM);
        waitpid(emulator_pid, NULL, 0);
        emulator_pid = -1;
    }
    if (emulator_out != NULL) {
        fclose(emulator_out);
        emulator_out = NULL;
    }
}

/* Sends one request to the emulator's admin API (a minimal HTTP/1.1 client)
 * and returns the HTTP status, or -1 when the exchange failed. `body` may be
 * NULL (no body); `resp` (optional, `resp_len` bytes) receives the response
 * body, NUL-terminated and truncated to fit. */
static inline int admin_request(const char *method, const char *path, const char *body, char *resp, size_t resp_len) {
    if (resp != NULL && resp_len > 0) resp[0] = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)emulator_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    const char *payload = body != NULL ? body : "";
    char head[512];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     method, path, strlen(payload));
    if (n <= 0 || (size_t)n >= sizeof head || write(fd, head, (size_t)n) != n ||
        write(fd, payload, strlen(payload)) != (ssize_t)strlen(payload)) {
        close(fd);
        return -1;
    }
    char buf[16384];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, buf + got, sizeof buf - 1 - got);
        if (r <= 0) break;
        got += (size_t)r;
        if (got == sizeof buf - 1) break;
    }
    close(fd);
    buf[got] = 0;
    int status = -1;
    if (got > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0) status = atoi(buf + 9);
    const char *sep = strstr(buf, "\r\n\r\n");
    if (resp != NULL && resp_len > 0 && sep != NULL) {
        snprintf(resp, resp_len, "%s", sep + 4);
    }
    return status;
}

/* POSTs a JSON body to the admin API; 0 on a 2xx answer, else -1. */
static inline int admin_post(const char *path, const char *body) {
    int status = admin_request("POST", path, body, NULL, 0);
    return status >= 200 && status < 300 ? 0 : -1;
}

#endif /* QCDN_TEST_EMULATOR_H */
