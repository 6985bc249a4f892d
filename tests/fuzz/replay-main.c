/* The main of a fuzz target in normal builds: runs LLVMFuzzerTestOneInput once on every file given, or on
 * every file of every directory given (name order), each in a buffer of exactly its size. A test that
 * replays the seed corpus and the regression inputs, under whatever sanitizers the build has. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* A target without set-up leaves this undefined (libFuzzer's own main treats it the same way). */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int replay_file(const char *path)
{
        FILE *f = fopen(path, "re");
        struct stat st;
        if (!f || fstat(fileno(f), &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                if (f)
                        fclose(f);
                return -1;
        }
        size_t size = (size_t)st.st_size;
        /* malloc(0) may return NULL: keep one byte, pass a size of 0. */
        uint8_t *data = malloc(size ? size : 1);
        if (!data || fread(data, 1, size, f) != size) {
                fprintf(stderr, "%s: cannot read\n", path);
                free(data);
                fclose(f);
                return -1;
        }
        fclose(f);
        printf("%s (%zu bytes)\n", path, size);
        fflush(stdout);
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        return 1;
}

static int skip_hidden(const struct dirent *de)
{
        return de->d_name[0] != '.';
}

static int replay(const char *path)
{
        struct dirent **names;
        struct stat st;
        int n, count = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return replay_file(path);
        n = scandir(path, &names, skip_hidden, alphasort);
        if (n < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        for (int i = 0; i < n; i++) {
                char *p = NULL;
                if (count >= 0 && asprintf(&p, "%s/%s", path, names[i]->d_name) >= 0) {
                        int r = replay(p);
                        count = r < 0 ? r : count + r;
                } else
                        count = -1;
                free(p);
                free(names[i]);
        }
        free(names);
        return count;
}

int main(int argc, char **argv)
{
        int total = 0;

        if (argc < 2) {
                fprintf(stderr, "usage: %s FILE|DIRECTORY...\n", argv[0]);
                return 2;
        }
        if (LLVMFuzzerInitialize)
                LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++) {
                int r = replay(argv[i]);
                if (r < 0)
                        return 1;
                total += r;
        }
        /* An empty corpus would pass while testing nothing. */
        if (total == 0) {
                fprintf(stderr, "no input found\n");
                return 1;
        }
        printf("replayed %d inputs\n", total);
        return 0;
}
