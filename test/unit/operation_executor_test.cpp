// Which executor an operation runs on: a strand of its own unless the io_context promised
// one thread (concurrency hint 1, or a hint that turns Asio's locking off).

#include "../../src/operation_executor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

using namespace batchwire::detail;
namespace asio = boost::asio;

BOOST_AUTO_TEST_SUITE(operation_executor_choice)

BOOST_AUTO_TEST_CASE(only_an_io_context_promised_to_one_thread_runs_without_a_strand)
{
    struct row {
        std::string what;
        int hint;
        bool one_thread;
    };
    const row rows[] = {
        {"default hint", BOOST_ASIO_CONCURRENCY_HINT_DEFAULT, false},
        {"hint 1", 1, true},
        {"hint 2", 2, false},
        {"hint 0", 0, false},
        {"hint -2", -2, false},
        {"safe (locking on)", BOOST_ASIO_CONCURRENCY_HINT_SAFE, false},
        {"unsafe (no locking)", BOOST_ASIO_CONCURRENCY_HINT_UNSAFE, true},
        {"unsafe I/O", BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO, true},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.what)
        {
            asio::io_context ctx(r.hint);
            const asio::any_io_executor ex = ctx.get_executor();
            BOOST_TEST(runs_on_one_thread(ex) == r.one_thread);
            const auto chosen = operation_executors(ex).next();
            // Its own executor, or a new strand over the io_context's concrete executor.
            BOOST_TEST((chosen == ex) == r.one_thread);
            BOOST_TEST((chosen.target<asio::strand<asio::io_context::executor_type>>() != nullptr) == !r.one_thread);
            BOOST_TEST(&asio::query(chosen, asio::execution::context) == &static_cast<asio::execution_context&>(ctx));
        }
    }
}

BOOST_AUTO_TEST_CASE(two_operations_get_two_strands)
{
    asio::io_context ctx;
    const asio::any_io_executor ex = ctx.get_executor();
    const operation_executors executors(ex);
    BOOST_TEST(!(executors.next() == executors.next()));
}

BOOST_AUTO_TEST_CASE(other_executors_always_get_a_strand)
{
    asio::thread_pool pool(1);
    const asio::any_io_executor pool_ex = pool.get_executor();
    BOOST_TEST(!runs_on_one_thread(pool_ex));
    BOOST_TEST((operation_executors(pool_ex).next().target<asio::strand<asio::any_io_executor>>() != nullptr));

    asio::io_context ctx(1); // one thread, but behind a strand the application made: kept as given
    const asio::any_io_executor stranded = asio::make_strand(ctx.get_executor());
    BOOST_TEST(!runs_on_one_thread(stranded));
    BOOST_TEST((operation_executors(stranded).next().target<asio::strand<asio::any_io_executor>>() != nullptr));
    pool.join();
}

BOOST_AUTO_TEST_SUITE_END()
