// What a verified webhook event does to the watches: every combination of the facts, and
// the coalescing it gives when the poll loop carries the actions out.

#include "../../src/watch_wakeup_decision.hpp"

#include <boost/test/unit_test.hpp>

#include <ostream>

namespace batchwire::detail {
std::ostream& operator<<(std::ostream& os, wakeup_action a)
{
    switch (a) {
    case wakeup_action::poll_now: return os << "poll_now";
    case wakeup_action::poll_after_in_flight: return os << "poll_after_in_flight";
    case wakeup_action::already_pending: return os << "already_pending";
    case wakeup_action::unwatched: return os << "unwatched";
    case wakeup_action::ignored: return os << "ignored";
    }
    return os << "wakeup_action(" << static_cast<int>(a) << ")";
}
} // namespace batchwire::detail

namespace {

using namespace batchwire::detail;

// The loop's side of the decision, as watch.cpp carries it out: a pending wake is cleared
// when a poll starts; it makes the loop poll at once, or once more after the poll in flight.
struct loop_model {
    bool in_flight = false;
    bool pending = false;
    int polls = 0;

    void event(bool batch_event = true, bool watched = true)
    {
        const auto a = decide_wakeup({batch_event, watched, in_flight, pending});
        if (a == wakeup_action::poll_now || a == wakeup_action::poll_after_in_flight)
            pending = true;
    }
    void start_poll()
    {
        in_flight = true;
        pending = false;
        ++polls;
    }
    // The answer arrives; true when the loop polls again at once.
    bool answer()
    {
        in_flight = false;
        return pending;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(watch_wakeup_decision)

BOOST_AUTO_TEST_CASE(every_combination_of_facts)
{
    struct row {
        bool batch_event, watched, in_flight, pending;
        wakeup_action expected;
    };
    using a = wakeup_action;
    const row rows[] = {
        // Not a batch event: nothing else matters.
        {false, false, false, false, a::ignored},
        {false, false, false, true, a::ignored},
        {false, false, true, false, a::ignored},
        {false, false, true, true, a::ignored},
        {false, true, false, false, a::ignored},
        {false, true, false, true, a::ignored},
        {false, true, true, false, a::ignored},
        {false, true, true, true, a::ignored},
        // Nobody watches the batch (a loop's leftover flags cannot make it watched).
        {true, false, false, false, a::unwatched},
        {true, false, false, true, a::unwatched},
        {true, false, true, false, a::unwatched},
        {true, false, true, true, a::unwatched},
        // Watched.
        {true, true, false, false, a::poll_now},
        {true, true, true, false, a::poll_after_in_flight},
        {true, true, false, true, a::already_pending},
        {true, true, true, true, a::already_pending},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT("batch_event " << r.batch_event << ", watched " << r.watched << ", in_flight "
                                          << r.in_flight << ", pending " << r.pending)
        {
            BOOST_TEST(decide_wakeup({r.batch_event, r.watched, r.in_flight, r.pending}) == r.expected);
        }
    }
}

BOOST_AUTO_TEST_CASE(events_while_a_poll_is_in_flight_give_at_most_one_extra_poll)
{
    for (int n : {1, 2, 3, 100, 10000}) {
        BOOST_TEST_CONTEXT(n << " events")
        {
            loop_model m;
            m.start_poll();
            for (int i = 0; i < n; ++i)
                m.event();
            BOOST_TEST(m.answer()); // polls again at once
            m.start_poll();
            BOOST_TEST(!m.answer()); // and then sleeps
            BOOST_TEST(m.polls == 2);
        }
    }
}

BOOST_AUTO_TEST_CASE(events_while_the_loop_sleeps_give_one_poll)
{
    loop_model m;
    m.start_poll();
    BOOST_TEST(!m.answer());
    for (int i = 0; i < 5; ++i)
        m.event();
    BOOST_TEST(m.pending); // the wait is cut
    m.start_poll();
    m.event(); // during that poll: its answer may predate the event
    BOOST_TEST(m.answer());
    m.start_poll();
    BOOST_TEST(!m.answer());
    BOOST_TEST(m.polls == 3);
}

BOOST_AUTO_TEST_CASE(unwatched_and_non_batch_events_never_make_a_poll_pending)
{
    loop_model m;
    m.event(false, true);
    m.event(true, false);
    m.event(false, false);
    BOOST_TEST(!m.pending);
}

BOOST_AUTO_TEST_SUITE_END()
