/* peak-rss COMMAND [ARGS...]: runs COMMAND and prints its peak resident set size on stderr as
 * "peak-rss-kib N". A child forked from this small process, not from the (large) Python benchmark, so
 * that ru_maxrss is the command's own: Linux carries the pre-exec high-water mark across exec. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
        struct rusage ru;
        int status;
        pid_t pid;

        if (argc < 2) {
                fprintf(stderr, "usage: peak-rss COMMAND [ARGS...]\n");
                return 2;
        }
        pid = fork();
        if (pid < 0) {
                perror("fork");
                return 2;
        }
        if (pid == 0) {
                execvp(argv[1], argv + 1);
                perror(argv[1]);
                _exit(127);
        }
        if (wait4(pid, &status, 0, &ru) < 0) {
                perror("wait4");
                return 2;
        }
        fprintf(stderr, "peak-rss-kib %ld\n", ru.ru_maxrss);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
