// 03: error handling, in both of the library's forms.
//
// Every operation comes in two shapes:
//
//   throwing       batch b = co_await c.retrieve(id);          // throws batchwire::exception
//   error code     diagnostics diag;
//                  auto [ec, b] = co_await c.async_retrieve(id, diag, asio::as_tuple(asio::use_awaitable));
//
// The exception carries the same error_code and diagnostics as the second form: the HTTP
// status, the API's error {message, type, param, code} and the x-request-id to quote when
// asking OpenAI for help. Use exceptions where a failure is exceptional, error codes where
// failure is data (e.g. "is this batch still there?").
//
// This example provokes four failures and checks each comes out as documented:
//   1. retrieve an unknown batch, throwing form              -> error::not_found (HTTP 404)
//   2. the same, error-code form                              -> error::not_found
//   3. an empty id                                            -> error::invalid_argument, nothing sent
//   4. a client with a wrong API key                          -> error::authentication_failed (401)
// It exits with 0 when all four did.
//
// usage: example_03_error_handling [unknown_batch_id]
// Environment: OPENAI_API_KEY, OPENAI_BASE_URL, SSL_CERT_FILE (see example 01).

#include <batchwire/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
using namespace batchwire;
using boost::system::error_code;

namespace {

void print_diagnostics(const error_code& ec, const diagnostics& d)
{
    // describe() is the one-line form for logs (it is also what exception::what() returns).
    std::cout << "    describe():  " << describe(ec, d) << '\n'
              << "    code:        " << ec << " (" << ec.message() << ")\n"
              << "    http_status: " << d.http_status << '\n'
              << "    type:        " << d.type << '\n'
              << "    code (API):  " << (d.code.empty() ? "null" : d.code) << '\n'
              << "    message:     " << d.message << '\n'
              << "    request_id:  " << d.request_id << '\n'
              << "    attempts:    " << d.attempts << '\n';
}

// What a program would do about each error. error_code compares equal to batchwire::error
// values, so plain `==` works; is_retryable() is the SDKs' classification (a retryable error
// has already been retried per client_options::retry by the time it reaches you).
std::string what_to_do(const error_code& ec, const diagnostics& diag)
{
    if (!ec)
        return "nothing: it worked";
    if (ec == error::not_found)
        return "check the id, and that the key belongs to the batch's project";
    if (ec == error::invalid_argument)
        return "fix the call: nothing was sent";
    if (ec == error::authentication_failed || ec == error::permission_denied)
        return "check OPENAI_API_KEY (and OPENAI_ORG_ID / OPENAI_PROJECT_ID)";
    if (ec == error::insufficient_quota)
        return "check the plan and billing: retrying will not help";
    if (ec == error::rate_limited)
        return diag.retry_after ? "wait " + std::to_string(diag.retry_after->count()) + " ms, as the server asked"
                                : "slow down and try again later";
    if (ec == error::cancelled)
        return diag.request_may_have_been_processed ? "cancelled after sending: the server may have acted"
                                                    : "cancelled before anything was sent";
    if (is_retryable(ec, diag))
        return "a transient failure that outlasted the retries: try again later";
    return "a permanent failure: " + describe(ec, diag);
}

// 1. The throwing form: catch batchwire::exception (a boost::system::system_error).
asio::awaitable<bool> throwing_form(client& c, std::string unknown_id)
{
    std::cout << "1. co_await c.retrieve(\"" << unknown_id << "\") throws:\n";
    try {
        batch b = co_await c.retrieve(unknown_id);
        std::cout << "    unexpectedly found " << b.id << '\n';
        co_return false;
    } catch (const exception& e) {
        print_diagnostics(e.code(), e.get_diagnostics());
        co_return e.code() == error::not_found && e.get_diagnostics().http_status == 404;
    }
}

// 2. The error-code form: as_tuple(use_awaitable) turns the handler's (error_code, batch)
// into a tuple instead of throwing. `diag` is filled in when the call completes.
asio::awaitable<bool> error_code_form(client& c, std::string unknown_id)
{
    std::cout << "2. c.async_retrieve(\"" << unknown_id << "\", diag, as_tuple(use_awaitable)):\n";
    diagnostics diag;
    auto [ec, b] = co_await c.async_retrieve(unknown_id, diag, asio::as_tuple(asio::use_awaitable));
    print_diagnostics(ec, diag);
    std::cout << "    what to do:  " << what_to_do(ec, diag) << '\n';
    co_return ec == error::not_found;
}

// 3. Arguments are checked before anything goes on the wire: an empty id is refused locally.
asio::awaitable<bool> empty_id(client& c)
{
    std::cout << "3. c.async_retrieve(\"\", ...):\n";
    diagnostics diag;
    auto [ec, b] = co_await c.async_retrieve("", diag, asio::as_tuple(asio::use_awaitable));
    print_diagnostics(ec, diag);
    std::cout << "    what to do:  " << what_to_do(ec, diag) << '\n';
    co_return ec == error::invalid_argument && diag.http_status == 0 && diag.attempts == 0;
}

// 4. A wrong API key: 401 is not retried. The key never appears in diagnostics or logs.
asio::awaitable<bool> wrong_key(client_options opts, std::string unknown_id)
{
    std::cout << "4. a client whose API key is wrong:\n";
    opts.api_key = "sk-not-a-valid-key";
    client bad(co_await asio::this_coro::executor, std::move(opts));
    diagnostics diag;
    auto [ec, b] = co_await bad.async_retrieve(unknown_id, diag, asio::as_tuple(asio::use_awaitable));
    print_diagnostics(ec, diag);
    std::cout << "    what to do:  " << what_to_do(ec, diag) << '\n';
    co_return ec == error::authentication_failed && diag.attempts == 1;
}

asio::awaitable<bool> run_all(client& c, std::string unknown_id)
{
    bool ok = true;
    ok &= co_await throwing_form(c, unknown_id);
    ok &= co_await error_code_form(c, unknown_id);
    ok &= co_await empty_id(c);
    ok &= co_await wrong_key(c.options(), unknown_id);
    co_return ok;
}

} // namespace

int main(int argc, char** argv)
{
    const std::string unknown_id = argc > 1 ? argv[1] : "batch_does_not_exist";
    try {
        asio::io_context ctx;
        client c(ctx, client_options::from_env());
        auto result = asio::co_spawn(ctx, run_all(c, unknown_id), asio::use_future);
        ctx.run();
        const bool ok = result.get();
        std::cout << (ok ? "all errors came out as expected\n" : "some errors were NOT as expected\n");
        return ok ? 0 : 1;
    } catch (const exception& e) { // e.g. missing_api_key from from_env()
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
}
