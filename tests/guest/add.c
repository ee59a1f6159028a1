/* tests/guest/add.c -- a trivial reactor guest (library-style module) exporting arithmetic. */
__attribute__((export_name("add"))) int add(int a, int b)
{
    return a + b;
}

__attribute__((export_name("fib"))) long long fib(int n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
