// parse_json: Boost.JSON's parser with the limits of json_parse_options, and errors that
// say where the text went wrong.

#include <batchwire/json_parse.hpp>

#include "json_scratch.hpp"

#include <boost/json/error.hpp>
#include <boost/json/memory_resource.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/storage_ptr.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <utility>

namespace batchwire {

namespace {

// "line 3, column 14" of the byte at `offset` (both 1-based; columns count bytes).
std::string position_of(std::string_view text, std::size_t offset)
{
    const std::string_view before = text.substr(0, offset);
    const auto line = 1 + std::count(before.begin(), before.end(), '\n');
    const std::size_t last_newline = before.rfind('\n');
    const std::size_t column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The memory of one parse: the default resource, refused past `limit` bytes in use while the text
// is parsed, so a text of many tiny values stops at its budget instead of taking 10 to 30
// times its size. Lifted once the parse is done: the value is then the caller's to change.
// (The value keeps the resource alive; once lifted, it holds no state that threads share.)
struct budget_state {
    std::size_t limit = 0;
    std::size_t used = 0;
    bool limited = true;
};

class memory_budget final : public boost::json::memory_resource {
public:
    explicit memory_budget(std::shared_ptr<budget_state> state) noexcept : state_(std::move(state)) {}

private:
    void* do_allocate(std::size_t n, std::size_t align) override
    {
        budget_state& s = *state_;
        if (s.limited) {
            if (n > s.limit - s.used)
                throw detail::json_budget_exceeded();
            s.used += n;
        }
        return upstream_->allocate(n, align);
    }

    void do_deallocate(void* p, std::size_t n, std::size_t align) override
    {
        if (state_->limited)
            state_->used -= n;
        upstream_->deallocate(p, n, align);
    }

    bool do_is_equal(const boost::json::memory_resource& other) const noexcept override { return this == &other; }

    std::shared_ptr<budget_state> state_;
    boost::json::memory_resource* upstream_ = boost::json::storage_ptr().get(); // the default, static
};

// Boost.JSON reads 1e310 as infinity, which no JSON text can express: writing the value
// back would give text that no longer parses. Depth is bounded by max_depth.
bool has_non_finite(const boost::json::value& v) noexcept
{
    switch (v.kind()) {
    case boost::json::kind::double_:
        return !std::isfinite(v.get_double());
    case boost::json::kind::array:
        return std::any_of(v.get_array().begin(), v.get_array().end(), has_non_finite);
    case boost::json::kind::object:
        for (const auto& member : v.get_object())
            if (has_non_finite(member.value()))
                return true;
        return false;
    default:
        return false;
    }
}

} // namespace

namespace detail {

boost::json::value parse_json_in(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                                 const json_parse_options& opts, const boost::json::storage_ptr& sp,
                                 std::size_t budget)
{
    boost::json::parse_options po;
    po.max_depth = opts.max_depth;
    po.allow_trailing_commas = opts.allow_trailing_commas;
    boost::system::error_code jec;
    std::size_t consumed = 0;
    boost::json::value v(sp); // the parser's storage: release() then moves, a default one would copy
    try {
        // One budget for the parser's working stack and for the value it builds.
        boost::json::parser parser(sp, po);
        parser.reset(sp);
        // On failure the parser stops at the offending byte and reports how far it got.
        consumed = parser.write(text.data(), text.size(), jec);
        if (!jec)
            v = parser.release();
    } catch (const std::bad_alloc& e) {
        ec = error::response_too_large;
        diag.message = "JSON text of " + std::to_string(text.size()) + " bytes needs more memory than " +
                       (dynamic_cast<const json_budget_exceeded*>(&e)
                            ? "its budget of " + std::to_string(budget) + " bytes (a text of many tiny values?)"
                            : std::string("is available"));
        return nullptr;
    }
    if (jec) {
        ec = error::parse_error;
        std::string problem = jec == boost::json::error::too_deep
                                  ? "nested deeper than " + std::to_string(opts.max_depth) + " levels"
                                  : jec.message();
        diag.message = "invalid JSON at " + position_of(text, consumed) + ": " + problem;
        return nullptr;
    }
    if (has_non_finite(v)) {
        ec = error::parse_error;
        diag.message = "invalid JSON: a number is beyond the range of a double";
        return nullptr;
    }
    return v;
}

bool json_over_max_size(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                        const json_parse_options& opts)
{
    ec = {};
    if (text.size() <= opts.max_size)
        return false;
    ec = error::response_too_large;
    diag.message = "JSON text of " + std::to_string(text.size()) + " bytes is over the limit of " +
                   std::to_string(opts.max_size) + " bytes";
    return true;
}

std::size_t json_budget_for(std::size_t text_size, const json_parse_options& opts) noexcept
{
    constexpr std::size_t most = std::numeric_limits<std::size_t>::max();
    if (opts.memory_per_byte != 0 && text_size > (most - opts.min_memory) / opts.memory_per_byte)
        return most;
    return opts.min_memory + opts.memory_per_byte * text_size;
}

void* json_scratch::do_allocate(std::size_t n, std::size_t align)
{
    if (n > limit_ - used_)
        throw json_budget_exceeded();
    used_ += n;
    return arena_.allocate(n, align);
}

boost::json::value json_scratch::parse(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                                       const json_parse_options& opts)
{
    if (json_over_max_size(text, ec, diag, opts))
        return nullptr;
    limit_ = json_budget_for(text.size(), opts);
    used_ = 0;
    return parse_json_in(text, ec, diag, opts, boost::json::storage_ptr(this), limit_);
}

} // namespace detail

boost::json::value parse_json(std::string_view text, boost::system::error_code& ec, diagnostics& diag,
                              const json_parse_options& opts)
{
    if (detail::json_over_max_size(text, ec, diag, opts))
        return nullptr;
    const std::size_t budget = detail::json_budget_for(text.size(), opts);
    const auto state = std::make_shared<budget_state>();
    state->limit = budget;
    auto v = detail::parse_json_in(text, ec, diag, opts, boost::json::make_shared_resource<memory_budget>(state),
                                   budget);
    state->limited = false;
    return v;
}

} // namespace batchwire
