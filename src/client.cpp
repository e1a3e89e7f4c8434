#include <batchwire/client.hpp>

#include "batch_calls.hpp"
#include "batch_line_reader.hpp"
#include "client_state.hpp"
#include "header_field.hpp"
#include "multipart_body.hpp"
#include "operation_launch.hpp"
#include "request_loop.hpp"
#include "tls_context.hpp"
#include "watch_registry.hpp"

#include <batchwire/json_parse.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/file.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>

#include <filesystem>

namespace batchwire {

namespace asio = boost::asio;
using boost::system::error_code;
using detail::api_request;
using detail::api_response;
using detail::op_result;
namespace http = boost::beast::http;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace detail {

client_state::client_state(asio::any_io_executor executor, client_options options)
    : ex(std::move(executor)), opts(std::move(options))
{
    error_code ec;
    std::string why;
    org = parse_origin(opts.base_url, ec, why);
    if (ec) {
        diagnostics d;
        d.message = "invalid base URL: " + why;
        throw exception(ec, std::move(d));
    }
    if (opts.api_key.empty()) {
        diagnostics d;
        d.message = "no API key: set client_options::api_key or OPENAI_API_KEY";
        throw exception(error::missing_api_key, std::move(d));
    }
    // Nothing configured may change the request's framing or smuggle in a header. The
    // messages name the setting, never its value (it may be a secret).
    const auto refuse = [](std::string what) {
        diagnostics d;
        d.message = std::move(what);
        throw exception(error::invalid_argument, std::move(d));
    };
    if (!is_header_value(opts.api_key))
        refuse("the API key contains a control character");
    if (!is_header_value(opts.organization))
        refuse("client_options::organization contains a control character");
    if (!is_header_value(opts.project))
        refuse("client_options::project contains a control character");
    for (std::size_t i = 0; i < opts.default_headers.size(); ++i) {
        const auto& [name, value] = opts.default_headers[i];
        const std::string which = "client_options::default_headers[" + std::to_string(i) + "]";
        if (!is_header_name(name))
            refuse(which + ": the name is empty or holds characters not allowed in a header name");
        if (is_reserved_header(name))
            refuse(which + ": '" + name + "' is set by the client itself and cannot be replaced");
        if (!is_header_value(value))
            refuse(which + ": the value contains a control character");
    }
    if (org.tls)
        tls.emplace(make_tls_context(opts.tls));
    pool = std::make_shared<connection_pool>(ex, opts.pool, tls ? &*tls : nullptr);
    authorization = "Bearer " + opts.api_key;
    watches = std::make_shared<watch_registry>(ex);
}

client_state::~client_state()
{
    // Keep the key's bytes out of freed memory.
    std::fill(authorization.begin(), authorization.end(), '\0');
    std::fill(opts.api_key.begin(), opts.api_key.end(), '\0');
}

namespace {

// Decodes a JSON body into T within the client's limits.
template <class T>
T decode(const client_state& st, const std::string& body, error_code& ec, diagnostics& diag)
{
    json_parse_options po;
    po.max_depth = st.opts.limits.max_json_depth;
    po.max_size = st.opts.limits.max_body_bytes;
    auto v = parse_json(body, ec, diag, po);
    if (ec)
        return T{};
    return convert_json<T>(v, ec, diag);
}

template <class T>
asio::awaitable<op_result<T>> json_call(std::shared_ptr<client_state> st, api_request req, request_options ro)
{
    op_result<T> r;
    api_response resp;
    r.ec = co_await run_request(*st, req, ro, resp, r.diag);
    if (!r.ec) {
        r.value = decode<T>(*st, resp.body, r.ec, r.diag);
        if (r.ec)
            r.diag.request_id = resp.headers["x-request-id"];
    }
    co_return r;
}

template <class T>
asio::awaitable<op_result<T>> fail_now(error_code ec, std::string message)
{
    op_result<T> r;
    r.ec = ec;
    r.diag.message = std::move(message);
    co_return r;
}

std::string path(const client_state& st, std::string_view rest) { return st.org.path_prefix + std::string(rest); }

} // namespace

asio::awaitable<op_result<batch>> batch_by_id(std::shared_ptr<client_state> st, std::string id, bool cancel,
                                              request_options ro)
{
    error_code ec;
    auto segment = encode_path_segment(id, ec);
    if (ec)
        co_return co_await fail_now<batch>(ec, "invalid batch id: it must not be empty, '.' or '..'");
    api_request req;
    req.method = cancel ? http::verb::post : http::verb::get;
    req.target = path(*st, "/batches/" + segment + (cancel ? "/cancel" : ""));
    req.idempotent = true; // a retrieve is safe; cancelling twice leaves the batch cancelling
    req.conflict_refusal_is_final = cancel; // 409 invalid_request_error: the batch has ended
    co_return co_await json_call<batch>(std::move(st), std::move(req), std::move(ro));
}

void launch_batch_call(std::shared_ptr<client_state> st, batch_call call, std::string id, batch_create_params params,
                       request_options ro, diagnostics* diag, batch_handler h)
{
    auto ex = st->ex;
    if (call != batch_call::create)
        return launch_operation<batch>(ex, diag, std::move(h),
                                       batch_by_id(std::move(st), std::move(id), call == batch_call::cancel, std::move(ro)));
    std::string why;
    if (auto ec = params.validate(&why))
        return launch_operation<batch>(ex, diag, std::move(h), fail_now<batch>(ec, why));
    api_request req;
    req.method = http::verb::post;
    req.target = path(*st, "/batches");
    req.body = boost::json::serialize(boost::json::value_from(params));
    req.content_type = "application/json";
    req.idempotency_key = ro.idempotency_key;
    req.idempotent = !ro.idempotency_key.empty();
    launch_operation<batch>(ex, diag, std::move(h), json_call<batch>(std::move(st), std::move(req), std::move(ro)));
}

void launch_list(std::shared_ptr<client_state> st, batch_list_params p, request_options ro, diagnostics* diag,
                 page_handler h)
{
    auto ex = st->ex;
    if (p.limit && (*p.limit < 1 || *p.limit > 100))
        return launch_operation<batch_page>(ex, diag, std::move(h),
                                            fail_now<batch_page>(error::invalid_argument, "limit must be 1..100"));
    api_request req;
    req.target = path(*st, "/batches");
    std::string query;
    if (p.after) {
        if (p.after->empty())
            return launch_operation<batch_page>(ex, diag, std::move(h),
                                                fail_now<batch_page>(error::invalid_argument, "empty `after` cursor"));
        error_code ignored;
        query += "after=" + encode_path_segment(*p.after, ignored);
    }
    if (p.limit)
        query += (query.empty() ? "" : "&") + std::string("limit=") + std::to_string(*p.limit);
    if (!query.empty())
        req.target += "?" + query;
    launch_operation<batch_page>(ex, diag, std::move(h),
                                 json_call<batch_page>(std::move(st), std::move(req), std::move(ro)));
}

void launch_retrieve_file(std::shared_ptr<client_state> st, std::string id, request_options ro, diagnostics* diag,
                          file_handler h)
{
    auto ex = st->ex;
    error_code ec;
    auto segment = encode_path_segment(id, ec);
    if (ec)
        return launch_operation<file_object>(ex, diag, std::move(h),
                                             fail_now<file_object>(ec, "invalid file id: empty, '.' or '..'"));
    api_request req;
    req.target = path(*st, "/files/" + segment);
    launch_operation<file_object>(ex, diag, std::move(h),
                                  json_call<file_object>(std::move(st), std::move(req), std::move(ro)));
}

namespace {

asio::awaitable<op_result<file_object>> upload_call(std::shared_ptr<client_state> st, file_upload_params p,
                                                    request_options ro)
{
    op_result<file_object> r;
    streamed_body body;
    std::string content_type;
    if (auto ec = make_multipart_upload(p, body, content_type, r.diag.message)) {
        r.ec = ec;
        co_return r;
    }
    api_request req;
    req.method = http::verb::post;
    req.target = path(*st, "/files");
    req.content_type = content_type;
    req.streamed = &body;
    req.idempotent = false; // a second upload would be a second file
    co_return co_await json_call<file_object>(std::move(st), std::move(req), std::move(ro));
}

asio::awaitable<op_result<std::uint64_t>> download_call(std::shared_ptr<client_state> st, std::string segment,
                                                        chunk_sink user_sink, std::string out_path, request_options ro)
{
    op_result<std::uint64_t> r;
    std::uint64_t bytes = 0;
    boost::beast::file file;
    const std::string part = out_path + ".part";
    if (!out_path.empty()) {
        error_code fec;
        file.open(part.c_str(), boost::beast::file_mode::write, fec);
        if (fec) {
            r.ec = error::file_error;
            r.diag.message = "cannot open '" + part + "' for writing: " + fec.message();
            co_return r;
        }
    }
    chunk_sink sink = [&](std::string_view chunk, error_code& ec) {
        bytes += chunk.size();
        if (out_path.empty()) {
            user_sink(chunk, ec);
            return;
        }
        file.write(chunk.data(), chunk.size(), ec);
        if (ec)
            ec = error::file_error;
    };
    api_request req;
    req.target = path(*st, "/files/" + segment + "/content");
    req.sink = &sink;
    api_response resp;
    r.ec = co_await run_request(*st, req, ro, resp, r.diag);
    if (!out_path.empty()) {
        error_code ignored;
        file.close(ignored);
        std::error_code fs_ec;
        if (!r.ec) {
            std::filesystem::rename(part, out_path, fs_ec);
            if (fs_ec) {
                r.ec = error::file_error;
                r.diag.message = "cannot rename '" + part + "': " + fs_ec.message();
            }
        }
        if (r.ec)
            std::filesystem::remove(part, fs_ec);
    }
    r.value = bytes;
    co_return r;
}

} // namespace

void launch_upload(std::shared_ptr<client_state> st, file_upload_params p, request_options ro, diagnostics* diag,
                   file_handler h)
{
    auto ex = st->ex;
    launch_operation<file_object>(ex, diag, std::move(h), upload_call(std::move(st), std::move(p), std::move(ro)));
}

void launch_download(std::shared_ptr<client_state> st, std::string id, chunk_sink sink, std::string out_path,
                     request_options ro, diagnostics* diag, count_handler h)
{
    auto ex = st->ex;
    error_code ec;
    auto segment = encode_path_segment(id, ec);
    if (ec)
        return launch_operation<std::uint64_t>(ex, diag, std::move(h),
                                               fail_now<std::uint64_t>(ec, "invalid file id: empty, '.' or '..'"));
    if (!sink && out_path.empty())
        return launch_operation<std::uint64_t>(ex, diag, std::move(h),
                                               fail_now<std::uint64_t>(error::invalid_argument, "no sink and no path"));
    launch_operation<std::uint64_t>(
        ex, diag, std::move(h),
        download_call(std::move(st), std::move(segment), std::move(sink), std::move(out_path), std::move(ro)));
}

namespace {

asio::awaitable<op_result<std::uint64_t>> read_lines_call(std::shared_ptr<client_state> st, std::string segment,
                                                          batch_line_handler on_line, request_options ro)
{
    op_result<std::uint64_t> r;
    json_parse_options po;
    po.max_depth = st->opts.limits.max_json_depth;
    po.max_size = st->opts.limits.max_body_bytes;
    batch_line_reader reader(po, st->opts.limits.max_line_bytes, on_line);
    chunk_sink sink = [&](std::string_view chunk, error_code& ec) { reader.feed(chunk, ec); };
    api_request req;
    req.target = path(*st, "/files/" + segment + "/content");
    req.sink = &sink;
    api_response resp;
    r.ec = co_await run_request(*st, req, ro, resp, r.diag);
    if (!r.ec)
        reader.finish(r.ec);
    if (!reader.failure().empty()) {
        r.diag.message = reader.failure();
        if (r.ec == error::connection_lost || !r.ec)
            r.ec = error::invalid_response;
    }
    r.value = reader.lines();
    co_return r;
}

} // namespace

void launch_read_lines(std::shared_ptr<client_state> st, std::string id, batch_line_handler on_line,
                       request_options ro, diagnostics* diag, count_handler h)
{
    auto ex = st->ex;
    error_code ec;
    auto segment = encode_path_segment(id, ec);
    if (ec)
        return launch_operation<std::uint64_t>(ex, diag, std::move(h),
                                               fail_now<std::uint64_t>(ec, "invalid file id: empty, '.' or '..'"));
    launch_operation<std::uint64_t>(
        ex, diag, std::move(h), read_lines_call(std::move(st), std::move(segment), std::move(on_line), std::move(ro)));
}

} // namespace detail

// ---- client ---------------------------------------------------------------------------

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

// The throwing awaitable forms: plain functions that hand their arguments, moved, to this
// coroutine.
template <class T, class Launch>
asio::awaitable<T> throwing_call(Launch launch)
{
    diagnostics diag;
    auto [ec, value] = co_await asio::async_initiate<decltype(use_tuple), void(error_code, T)>(
        [&](auto handler) { launch(&diag, std::move(handler)); }, use_tuple);
    throw_on_error(ec, diag);
    co_return std::move(value);
}

template <class Handler>
detail::batch_handler as_batch_handler(Handler&& h)
{
    return detail::batch_handler(std::forward<Handler>(h));
}

} // namespace

asio::awaitable<batch> client::cancel(std::string batch_id, request_options ro)
{
    return throwing_call<batch>([st = state_, id = std::move(batch_id), ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_batch_call(st, detail::batch_call::cancel, std::move(id), {}, std::move(ro), d,
                                  as_batch_handler(std::move(h)));
    });
}

asio::awaitable<batch> client::retrieve(std::string batch_id, request_options ro)
{
    return throwing_call<batch>([st = state_, id = std::move(batch_id), ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_batch_call(st, detail::batch_call::retrieve, std::move(id), {}, std::move(ro), d,
                                  as_batch_handler(std::move(h)));
    });
}

asio::awaitable<batch> client::create(batch_create_params params, request_options ro)
{
    return throwing_call<batch>([st = state_, p = std::move(params), ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_batch_call(st, detail::batch_call::create, {}, std::move(p), std::move(ro), d,
                                  as_batch_handler(std::move(h)));
    });
}

asio::awaitable<batch_page> client::list(batch_list_params p, request_options ro)
{
    return throwing_call<batch_page>([st = state_, p = std::move(p), ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_list(st, std::move(p), std::move(ro), d, detail::page_handler(std::move(h)));
    });
}

asio::awaitable<file_object> client::upload_file(file_upload_params p, request_options ro)
{
    return throwing_call<file_object>([st = state_, p = std::move(p), ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_upload(st, std::move(p), std::move(ro), d, detail::file_handler(std::move(h)));
    });
}

asio::awaitable<file_object> client::retrieve_file(std::string file_id, request_options ro)
{
    return throwing_call<file_object>([st = state_, id = std::move(file_id), ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_retrieve_file(st, std::move(id), std::move(ro), d, detail::file_handler(std::move(h)));
    });
}

asio::awaitable<std::uint64_t> client::download_file(std::string file_id, chunk_sink sink, request_options ro)
{
    return throwing_call<std::uint64_t>([st = state_, id = std::move(file_id), sink = std::move(sink),
                                         ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_download(st, std::move(id), std::move(sink), {}, std::move(ro), d,
                                detail::count_handler(std::move(h)));
    });
}

asio::awaitable<std::uint64_t> client::download_file_to(std::string file_id, std::string path, request_options ro)
{
    return throwing_call<std::uint64_t>([st = state_, id = std::move(file_id), path = std::move(path),
                                         ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_download(st, std::move(id), {}, std::move(path), std::move(ro), d,
                                detail::count_handler(std::move(h)));
    });
}

asio::awaitable<std::uint64_t> client::read_batch_lines(std::string file_id, batch_line_handler on_line,
                                                        request_options ro)
{
    return throwing_call<std::uint64_t>([st = state_, id = std::move(file_id), f = std::move(on_line),
                                         ro = std::move(ro)](diagnostics* d, auto h) mutable {
        detail::launch_read_lines(st, std::move(id), std::move(f), std::move(ro), d,
                                  detail::count_handler(std::move(h)));
    });
}

// The overloads without request_options.
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

// ---- batch_pager ------------------------------------------------------------------------

batch_pager::batch_pager(client& c, batch_list_params p, request_options ro)
    : client_(&c), params_(std::move(p)), ro_(std::move(ro))
{
}

asio::awaitable<std::optional<batch_page>> batch_pager::next_page()
{
    if (done_)
        co_return std::nullopt;
    auto page = co_await client_->list(params_, ro_);
    if (auto cursor = page.next_cursor())
        params_.after = std::move(*cursor);
    else
        done_ = true;
    co_return page;
}

asio::awaitable<std::optional<batch>> batch_pager::next()
{
    while (pos_ == buffered_.size()) {
        auto page = co_await next_page();
        if (!page)
            co_return std::nullopt;
        buffered_ = std::move(page->data);
        pos_ = 0;
    }
    co_return std::move(buffered_[pos_++]);
}

} // namespace batchwire
