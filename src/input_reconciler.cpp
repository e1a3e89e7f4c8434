// Reconciling the local input JSONL with the results, and choosing the lines to resubmit.

#include <batchwire/error.hpp>
#include <batchwire/reconcile.hpp>

#include <boost/json/parser.hpp>

namespace batchwire {

input_reconciler::input_reconciler(results_reconciler& r, bool resubmit_failed, std::size_t max_line_bytes,
                                   resubmit_sink out)
    : results_(r), resubmit_failed_(resubmit_failed), out_(std::move(out)), splitter_(max_line_bytes)
{
}

bool input_reconciler::check_split(bool ok, boost::system::error_code& ec)
{
    if (!ok && splitter_.too_long()) {
        ec = error::invalid_argument;
        why_ = "input line " + std::to_string(splitter_.line_number() + 1) + " is too long";
    }
    return ok;
}

bool input_reconciler::feed(std::string_view chunk, boost::system::error_code& ec)
{
    const bool ok = splitter_.feed(chunk, [&](std::string_view l, std::string_view t) { return line(l, t, ec); });
    return check_split(ok, ec);
}

bool input_reconciler::finish(boost::system::error_code& ec)
{
    const bool ok = splitter_.finish([&](std::string_view l, std::string_view t) { return line(l, t, ec); });
    if (!check_split(ok, ec))
        return false;
    results_.finish_input();
    return true;
}

bool input_reconciler::line(std::string_view text, std::string_view terminator, boost::system::error_code& ec)
{
    if (text.find_first_not_of(" \t\r") == std::string_view::npos)
        return true;
    const auto fail = [&](std::string what) {
        ec = error::invalid_argument;
        why_ = "input line " + std::to_string(splitter_.line_number()) + ": " + std::move(what);
        return false;
    };
    boost::json::parse_options po;
    po.max_depth = 64;
    boost::json::parser p({}, po);
    boost::system::error_code jec;
    p.write(text.data(), text.size(), jec);
    if (jec)
        return fail("not JSON (" + jec.message() + ")");
    const boost::json::value v = p.release();
    const boost::json::object* o = v.if_object();
    const boost::json::value* id = o ? o->if_contains("custom_id") : nullptr;
    if (!id || !id->is_string())
        return fail("no string custom_id");
    const auto result = results_.add_input(id->get_string());
    if (!result || !should_resubmit(*result, resubmit_failed_))
        return true;
    const bool written = out_(text) && out_(terminator.empty() ? std::string_view("\n") : terminator);
    if (!written) {
        ec = error::file_error;
        why_ = "cannot write the resubmit file";
        return false;
    }
    ++resubmitted_;
    return true;
}

} // namespace batchwire
