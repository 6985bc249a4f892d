/* Fibers on ucontext (fiber.h): a mmap'd stack with a guard page below it, a switch that tells
 * AddressSanitizer which stack is in use (its fake stacks and shadow memory follow the switch). */
#include "fiber.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FIBER_ASAN 1
#endif
#endif

#ifdef FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#define start_switch(save, bottom, size) __sanitizer_start_switch_fiber((save), (bottom), (size))
#define finish_switch(save, bottom, size) __sanitizer_finish_switch_fiber((save), (bottom), (size))
#else
#define start_switch(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#define finish_switch(save, bottom, size) ((void)(save), (void)(bottom), (void)(size))
#endif

struct fiber {
        ucontext_t context;
        void *map; /* the guard page and the stack */
        size_t map_size;
        void *stack; /* the usable part, above the guard page */
        size_t stack_size;
        fiber_fn fn;
        void *userdata;
        bool finished;
        void *fake_stack; /* AddressSanitizer's, while the fiber is switched out */
};

static ucontext_t main_context;
static struct fiber *running;
/* The main context's stack, as AddressSanitizer reports it at the first switch into a fiber. */
static const void *main_stack_bottom;
static size_t main_stack_size;

static void trampoline(void)
{
        struct fiber *f = running;

        finish_switch(NULL, &main_stack_bottom, &main_stack_size);
        f->fn(f->userdata);
        f->finished = true;
        /* Leaving for good: no fake stack to keep. */
        start_switch(NULL, main_stack_bottom, main_stack_size);
        setcontext(&main_context);
        abort(); /* setcontext() returns only on failure, and main_context was valid a moment ago */
}

int fiber_new(fiber_fn fn, void *userdata, size_t stack_size, struct fiber **ret)
{
        long page = sysconf(_SC_PAGESIZE);
        struct fiber *f;

        if (!fn || page <= 0)
                return -EINVAL;
        if (stack_size == 0)
                stack_size = FIBER_STACK_SIZE;
        stack_size = (stack_size + (size_t)page - 1) & ~((size_t)page - 1);

        f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        f->map_size = stack_size + (size_t)page;
        f->map = mmap(NULL, f->map_size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (f->map == MAP_FAILED) {
                free(f);
                return -ENOMEM;
        }
        /* Stacks grow down: an overflow hits the guard page and faults instead of writing over the heap. */
        if (mprotect(f->map, (size_t)page, PROT_NONE) < 0) {
                int r = -errno;
                munmap(f->map, f->map_size);
                free(f);
                return r;
        }
        f->stack = (uint8_t *)f->map + page;
        f->stack_size = stack_size;
        f->fn = fn;
        f->userdata = userdata;
        if (getcontext(&f->context) < 0) {
                int r = -errno;
                munmap(f->map, f->map_size);
                free(f);
                return r;
        }
        f->context.uc_stack.ss_sp = f->stack;
        f->context.uc_stack.ss_size = f->stack_size;
        f->context.uc_link = NULL; /* the trampoline switches back itself */
        makecontext(&f->context, trampoline, 0);
        *ret = f;
        return 0;
}

struct fiber *fiber_free(struct fiber *f)
{
        if (!f)
                return NULL;
        if (f == running)
                abort(); /* a fiber cannot free its own stack */
        munmap(f->map, f->map_size);
        free(f);
        return NULL;
}

int fiber_resume(struct fiber *f)
{
        void *fake_stack = NULL;

        if (running)
                return -EBUSY;
        if (f->finished)
                return -ESRCH;
        running = f;
        start_switch(&fake_stack, f->stack, f->stack_size);
        if (swapcontext(&main_context, &f->context) < 0) {
                running = NULL;
                return -errno;
        }
        finish_switch(fake_stack, NULL, NULL);
        running = NULL;
        return 0;
}

void fiber_yield(void)
{
        struct fiber *f = running;

        if (!f)
                abort(); /* the main context has nobody to yield to */
        start_switch(&f->fake_stack, main_stack_bottom, main_stack_size);
        if (swapcontext(&f->context, &main_context) < 0)
                abort();
        finish_switch(f->fake_stack, &main_stack_bottom, &main_stack_size);
}

struct fiber *fiber_current(void)
{
        return running;
}

bool fiber_finished(const struct fiber *f)
{
        return f->finished;
}
