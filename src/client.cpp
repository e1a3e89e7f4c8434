// The client object and the throwing awaitable forms of its operations; the operations
// themselves are in the endpoint files (batch_endpoints, file_endpoints, file_download,
// batch_lines_download).

#include <batchwire/client.hpp>

#include "client_state.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;

client::client(executor_type ex, client_options opts)
    : state_(std::make_shared<detail::client_state>(std::move(ex), std::move(opts)))
{
}

client::client(asio::io_context& ctx, client_options opts) : client(ctx.get_executor(), std::move(opts)) {}

client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

client::~client()
{
    if (state_)
        state_->pool->shutdown();
}

client::executor_type client::get_executor() const noexcept { return state_->ex; }
const client_options& client::options() const noexcept { return state_->opts; }

connection_stats client::stats() const noexcept
{
    const auto s = state_->pool->stats();
    return {s.opened, s.reused, s.closed, s.stale, s.resumed};
}

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The throwing form of an operation: a coroutine that owns its arguments (by value) and the
// client's state, starts the operation and throws its error. Holding the state, not the
// client, lets the awaitable run after the client object was moved.
template <class T, class State, class Start, class... Args>
asio::awaitable<T> throwing_call(State st, Start start, Args... args)
{
    diagnostics diag;
    auto [ec, value] = co_await asio::async_initiate<decltype(use_tuple), void(error_code, T)>(
        [&](auto handler) {
            start(st, std::move(args)..., &diag,
                  asio::any_completion_handler<void(error_code, T)>(std::move(handler)));
        },
        use_tuple);
    throw_on_error(ec, diag);
    co_return std::move(value);
}

} // namespace

asio::awaitable<batch> client::cancel(std::string batch_id, request_options ro)
{
    return throwing_call<batch>(state_, &client::start_cancel, std::move(batch_id), std::move(ro));
}

asio::awaitable<batch> client::retrieve(std::string batch_id, request_options ro)
{
    return throwing_call<batch>(state_, &client::start_retrieve, std::move(batch_id), std::move(ro));
}

asio::awaitable<batch> client::create(batch_create_params params, request_options ro)
{
    return throwing_call<batch>(state_, &client::start_create, std::move(params), std::move(ro));
}

asio::awaitable<batch_page> client::list(batch_list_params p, request_options ro)
{
    return throwing_call<batch_page>(state_, &client::start_list, std::move(p), std::move(ro));
}

asio::awaitable<file_object> client::upload_file(file_upload_params p, request_options ro)
{
    return throwing_call<file_object>(state_, &client::start_upload_file, std::move(p), std::move(ro));
}

asio::awaitable<file_object> client::retrieve_file(std::string file_id, request_options ro)
{
    return throwing_call<file_object>(state_, &client::start_retrieve_file, std::move(file_id), std::move(ro));
}

asio::awaitable<std::uint64_t> client::download_file(std::string file_id, chunk_sink sink, request_options ro)
{
    return throwing_call<std::uint64_t>(state_, &client::start_download_file, std::move(file_id), std::move(sink),
                                        std::move(ro));
}

asio::awaitable<std::uint64_t> client::download_file_to(std::string file_id, std::string path, request_options ro)
{
    return throwing_call<std::uint64_t>(state_, &client::start_download_file_to, std::move(file_id),
                                        std::move(path), std::move(ro));
}

asio::awaitable<std::uint64_t> client::read_batch_lines(std::string file_id, batch_line_handler on_line,
                                                        request_options ro)
{
    return throwing_call<std::uint64_t>(state_, &client::start_read_batch_lines, std::move(file_id),
                                        std::move(on_line), std::move(ro));
}

// The overloads without request_options (overloads, not default arguments: see client.hpp).
asio::awaitable<batch> client::cancel(std::string batch_id) { return cancel(std::move(batch_id), request_options{}); }
asio::awaitable<batch> client::retrieve(std::string batch_id) { return retrieve(std::move(batch_id), request_options{}); }
asio::awaitable<batch> client::create(batch_create_params params) { return create(std::move(params), request_options{}); }
asio::awaitable<batch_page> client::list() { return list(batch_list_params{}, request_options{}); }
asio::awaitable<batch_page> client::list(batch_list_params p) { return list(std::move(p), request_options{}); }
asio::awaitable<file_object> client::upload_file(file_upload_params p)
{
    return upload_file(std::move(p), request_options{});
}
asio::awaitable<file_object> client::retrieve_file(std::string file_id)
{
    return retrieve_file(std::move(file_id), request_options{});
}
asio::awaitable<std::uint64_t> client::download_file(std::string file_id, chunk_sink sink)
{
    return download_file(std::move(file_id), std::move(sink), request_options{});
}
asio::awaitable<std::uint64_t> client::download_file_to(std::string file_id, std::string path)
{
    return download_file_to(std::move(file_id), std::move(path), request_options{});
}
asio::awaitable<std::uint64_t> client::read_batch_lines(std::string file_id, batch_line_handler on_line)
{
    return read_batch_lines(std::move(file_id), std::move(on_line), request_options{});
}

} // namespace batchwire
