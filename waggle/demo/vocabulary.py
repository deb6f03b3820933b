"""The words the demo generator writes with: departments, topics, questions, answers, names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicWords:
    """One topic and the sentences people write about it.

    `questions` are real work questions; `answers[i]` are the answers colleagues give to
    `questions[i]`; `things` are the noun phrases updates and lessons talk about.
    """

    name: str
    label: str
    questions: tuple[str, ...]
    answers: tuple[tuple[str, ...], ...]
    things: tuple[str, ...]


@dataclass(frozen=True)
class DepartmentWords:
    """A department, the teams and titles in it, and the topics its people know about.

    `weight` is its share of the people; a `silo` department keeps its spaces private and
    almost never helps outside itself (the help network the insights must find).
    """

    name: str
    weight: float
    teams: tuple[str, ...]
    titles: tuple[str, ...]
    topics: tuple[TopicWords, ...]
    projects: tuple[str, ...]
    silo: bool = False


def _t(
    name: str, label: str, questions: list[str], answers: list[str | tuple[str, ...]],
    things: list[str],
) -> TopicWords:
    """A topic; `answers[i]` answers `questions[i]` (one answer, or a tuple of several)."""
    assert len(questions) == len(answers), name
    return TopicWords(
        name, label, tuple(questions),
        tuple(a if isinstance(a, tuple) else (a,) for a in answers), tuple(things),
    )


ENGINEERING = DepartmentWords(
    name="Engineering",
    weight=30,
    teams=("Platform", "Payments", "Mobile", "Web", "Data Platform", "Security",
           "Developer Experience", "Site Reliability", "Search", "Identity"),
    titles=("Software Engineer", "Senior Software Engineer", "Staff Engineer",
            "Engineering Manager", "Site Reliability Engineer", "Security Engineer",
            "QA Engineer", "Principal Engineer"),
    projects=("Postgres 16 upgrade", "Kubernetes migration", "Single sign-on rollout",
              "Checkout rewrite", "Observability overhaul", "Mobile app v3"),
    topics=(
        _t("postgres", "PostgreSQL", [
            "How do we rotate the database credentials without downtime?",
            "Why is this Postgres query fast on staging but slow in production?",
            "What is our recommended way to add a column to a large table?",
            "How do I find out which queries are holding locks during the deploy?",
        ], [
            ("Rotate with two roles: create the new credential, roll it out everywhere, and "
             "revoke the old one a day later.",
             "Use the secrets manager's rotation job; it swaps the password on the replica "
             "first, so nothing drops its connection."),
            ("Run `EXPLAIN (ANALYZE, BUFFERS)` against production data; staging statistics "
             "are too small for the planner to pick the same plan.",
             "Use `pg_stat_statements` to find the queries that actually cost time before you "
             "touch any index."),
            "Add the column as nullable first, backfill in batches of 10,000 rows, then add the "
            "constraint with `NOT VALID` and validate it separately.",
            "Check `pg_locks` joined with `pg_stat_activity`; the blocking query is usually a "
            "long transaction someone left open in a console.",
        ], ["the connection pool settings", "the nightly vacuum job", "the read replica"]),
        _t("kubernetes", "Kubernetes", [
            "How should we size CPU requests and limits for the API pods?",
            "Why do our pods restart with OOMKilled only at night?",
            "What is the safest way to drain a node before maintenance?",
        ], [
            "Set requests from the p95 of real usage over two weeks and leave CPU limits off; "
            "throttling hurt us more than noisy neighbours.",
            ("The nightly batch jobs share the node pool; give them their own pool with a "
             "taint.",
             "Look at `container_memory_working_set_bytes`, not RSS; that is what the OOM "
             "killer compares with the limit."),
            "Use `kubectl drain --ignore-daemonsets` and make sure every deployment has a "
            "PodDisruptionBudget first.",
        ], ["the staging cluster", "the Helm charts", "the node autoscaler"]),
        _t("python", "Python", [
            "Which Python version should new services start on?",
            "How do we pin dependencies so builds are reproducible?",
            "What is a good way to profile a slow Django view?",
        ], [
            "Start on the newest version our base image ships; upgrading later costs more than "
            "starting new.",
            "Keep a lock file in the repository and let the bot open upgrade pull requests "
            "weekly, not daily.",
            ("Turn on the SQL log first: nine times out of ten the view runs a query per row.",
             "`py-spy record` on the running process gives a flame graph without code "
             "changes."),
        ], ["the shared base image", "the dependency upgrade bot", "the service template"]),
        _t("ci-cd", "CI/CD", [
            "How can we make the CI pipeline faster than twenty minutes?",
            "Who approves a hotfix deploy outside office hours?",
            "Why do flaky tests keep blocking the main branch?",
        ], [
            ("Cache the dependency install keyed on the lock file and split the test job in "
             "four; we went from 22 to 7 minutes.",
             "Run the slowest tests first so a failure shows up early."),
            "The on-call engineer approves; the runbook in the Site Reliability space has the "
            "checklist.",
            "Quarantine a flaky test the first time it fails twice, with an owner and a date.",
        ], ["the deploy pipeline", "the release checklist", "the test runners"]),
        _t("observability", "Observability", [
            "Which alerts should page someone and which should only go to chat?",
            "How do we trace a request across the three payment services?",
            "What retention do we need for application logs?",
        ], [
            "Page only on symptoms users feel (error rate, latency); everything else goes to a "
            "dashboard someone reviews weekly.",
            "Propagate the trace header in the HTTP client wrapper once and every service gets "
            "it for free.",
            "Thirty days of searchable logs and a year of metrics has been enough for every "
            "incident review so far.",
        ], ["the on-call dashboards", "the alert rules", "the tracing setup"]),
        _t("security", "Security", [
            "How do we store API keys for third-party services?",
            "What do we need to do when a laptop with source code is lost?",
            "How often should we rotate service account credentials?",
        ], [
            "Keep them in the secrets manager and inject them at deploy time; never in the "
            "repository, not even encrypted.",
            "Report it to the security team at once; they revoke the device certificate and "
            "the access tokens.",
            "Every 90 days, automated; manual rotation is the one that gets skipped.",
        ], ["the secrets manager", "the access review", "the dependency scanner"]),
        _t("code-review", "Code review", [
            "How big should a pull request be before we ask to split it?",
            "What should a reviewer check beyond the code itself?",
            "How do we keep reviews from waiting for days?",
        ], [
            "Under 400 changed lines gets a real review; above that people skim.",
            "Check the migration, the rollback plan and whether the tests would fail without "
            "the change.",
            "We agreed on a first response within one working day and a review rotation; the "
            "wait went from three days to five hours.",
        ], ["the review guidelines", "the pull request template", "the review rotation"]),
        _t("incident-response", "Incident response", [
            "Who leads the incident review after an outage?",
            "How do we tell customers about an incident while it is still going on?",
            "What goes into a blameless postmortem?",
        ], [
            "The incident commander writes the timeline within two days; the review is "
            "blameless and open to anyone.",
            "Customer Success posts on the status page every 30 minutes, even when nothing has "
            "changed.",
            "Timeline, impact, what helped, what got in the way, and actions with owners; no "
            "names in the cause.",
        ], ["the incident runbook", "the status page process", "the postmortem template"]),
        _t("terraform", "Terraform", [
            "How do we split the Terraform state so plans stop taking ten minutes?",
            "What is the process for importing resources created by hand?",
        ], [
            "One state per environment and per system; cross-references go through outputs "
            "and remote state.",
            "Write the resource block, run `terraform import`, then plan until it shows no "
            "changes before anyone applies.",
        ], ["the Terraform modules", "the cloud account layout"]),
        _t("api-design", "API design", [
            "Should new endpoints use cursor or offset pagination?",
            "How do we version a public API without breaking partners?",
            "What error format should our APIs return?",
        ], [
            "Cursor pagination: offset pages get slow and skip rows when data changes "
            "underneath.",
            "Additive changes only within a version, and six months' notice with usage data "
            "before removing anything.",
            "One JSON shape everywhere: a machine-readable code, a human message and the "
            "offending field.",
        ], ["the public API guidelines", "the partner API", "the OpenAPI spec"]),
    ),
)

PRODUCT = DepartmentWords(
    name="Product",
    weight=8,
    teams=("Growth", "Core Product", "Platform Product", "Design Systems", "User Research"),
    titles=("Product Manager", "Senior Product Manager", "Product Designer", "UX Researcher",
            "Group Product Manager"),
    projects=("Onboarding redesign", "Pricing page experiment", "Accessibility audit"),
    topics=(
        _t("roadmapping", "Roadmapping", [
            "How far ahead should a team roadmap plan in detail?",
            "How do we say no to a feature request from a big customer?",
        ], [
            "Plan the next six weeks in detail, the quarter as problems to solve, and the rest "
            "as themes.",
            "Show the request next to what it would replace on the roadmap; the trade-off "
            "usually answers itself.",
        ], ["the quarterly roadmap", "the feature request board"]),
        _t("user-research", "User research", [
            "How many customer interviews do we need before we decide?",
            "Where do we keep research notes so other teams can find them?",
        ], [
            "Five interviews per segment find most usability problems; stop when you hear "
            "nothing new.",
            "Tag every note with the product area in the research repository; a summary page "
            "per study links to them.",
        ], ["the interview guide", "the research repository"]),
        _t("prioritization", "Prioritization", [
            "Which prioritization framework do other product teams actually use?",
            "How do we prioritize tech debt against features?",
        ], [
            "Impact over effort with a confidence score; the score matters less than writing "
            "the assumptions down.",
            "A fixed 20 percent of every sprint goes to tech debt the engineers choose; it "
            "stopped the quarterly debate.",
        ], ["the prioritization spreadsheet", "the tech debt backlog"]),
        _t("product-analytics", "Product analytics", [
            "How do we define an active user for the new dashboard?",
            "Why do the sign-up numbers differ between two dashboards?",
        ], [
            "Someone who did one of the core actions in the last 28 days; logging in alone "
            "does not count.",
            "One counts accounts, the other counts people, and one excludes test accounts; "
            "the metric definitions page has both.",
        ], ["the event tracking plan", "the product dashboard"]),
        _t("design-systems", "Design systems", [
            "Should we build a new component or extend the existing table?",
            "How do we keep the Figma library and the code components in sync?",
        ], [
            "Extend it if the behaviour is the same and only the content differs; new "
            "components need two real uses.",
            "Every component has one owner and a changelog; the design review checks both "
            "sides before release.",
        ], ["the component library", "the Figma library"]),
    ),
)

DATA = DepartmentWords(
    name="Data & Analytics",
    weight=6,
    teams=("Business Intelligence", "Data Science", "Analytics Engineering",
           "Machine Learning"),
    titles=("Data Analyst", "Data Scientist", "Analytics Engineer", "Machine Learning Engineer",
            "Head of Data"),
    projects=("Churn prediction model", "Metrics layer", "Warehouse cost review"),
    topics=(
        _t("sql", "SQL", [
            "How do I deduplicate events that arrive twice from the mobile app?",
            "Why does my window function return different totals than a GROUP BY?",
        ], [
            "Keep the first row per event id with `ROW_NUMBER() OVER (PARTITION BY event_id "
            "ORDER BY received_at)`.",
            "The window frame defaults to the current row for ordered windows; add `ROWS "
            "BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING`.",
        ], ["the event tables", "the revenue model"]),
        _t("dashboards", "Dashboards", [
            "Who owns the company KPI dashboard?",
            "How do we stop people from building a new dashboard for every question?",
        ], [
            "Business Intelligence owns the definitions, each department owns its own tab.",
            "Certify a small set of dashboards and answer new questions by linking to a "
            "filtered view of them.",
        ], ["the KPI dashboard", "the certified dashboards"]),
        _t("experimentation", "Experimentation", [
            "How long should an A/B test run before we call it?",
            "What sample size do we need for a two percent lift?",
        ], [
            "At least two full weeks so weekday patterns even out, and never stop early "
            "because it looks good.",
            "Use the calculator in the Data Science space; for a two percent lift on a ten "
            "percent baseline it is about 35,000 users per arm.",
        ], ["the experiment platform", "the test calendar"]),
        _t("machine-learning", "Machine learning", [
            "How do we monitor a model for drift in production?",
            "When is a simple heuristic better than a model?",
        ], [
            "Compare the distribution of each input feature weekly with the training data and "
            "alert on the population stability index.",
            "When you cannot explain the model's mistakes to the team that uses it; start "
            "with the rule and beat it.",
        ], ["the feature store", "the model registry"]),
        _t("data-quality", "Data quality", [
            "How do we find out which upstream change broke the revenue report?",
            "What data tests should every new table have?",
        ], [
            "The lineage view shows every upstream model; check the ones changed since the "
            "last good run.",
            "Unique and not-null on the key, accepted values on status columns, and a "
            "freshness check.",
        ], ["the data tests", "the lineage graph"]),
    ),
)

SALES = DepartmentWords(
    name="Sales",
    weight=14,
    teams=("Enterprise Sales", "Mid-Market", "Sales Development", "Sales Engineering",
           "Partnerships"),
    titles=("Account Executive", "Senior Account Executive", "Sales Development Representative",
            "Sales Engineer", "Regional Sales Director", "Partner Manager"),
    projects=("New pricing rollout", "Partner program launch", "CRM clean-up"),
    topics=(
        _t("crm", "CRM", [
            "How do we merge duplicate accounts in the CRM without losing history?",
            "Which opportunity stage should a signed order form be in?",
        ], [
            "Use the merge tool from the surviving account; activities and contacts move "
            "over, custom notes do not, so copy them first.",
            "Closed won only after Finance confirms the order form; until then it stays in "
            "contracting.",
        ], ["the CRM pipeline views", "the account hierarchy"]),
        _t("pricing", "Pricing", [
            "What discount can an account executive give without approval?",
            "How do we quote a multi-year deal with a price increase?",
        ], [
            "Up to 15 percent on the first year; anything above goes to the deal desk with "
            "the reason.",
            "Lock the first year and add a capped yearly uplift; the quote template has the "
            "clause.",
        ], ["the discount matrix", "the quote template"]),
        _t("negotiation", "Negotiation", [
            "How do we handle a procurement team that asks for a 40 percent discount?",
            "What do we trade when a customer wants longer payment terms?",
        ], [
            "Ask what the number is based on and trade it for term length or volume, never "
            "for nothing.",
            "Trade payment terms for a longer commitment or a case study; Finance has the "
            "limits.",
        ], ["the negotiation playbook", "the deal desk"]),
        _t("prospecting", "Prospecting", [
            "Which outreach sequence gets the most replies right now?",
            "How do we research an account before the first call?",
        ], [
            "Three short personal emails over two weeks beat the seven-step sequence; "
            "mention one concrete thing about their business.",
            "Annual report, recent job ads and the LinkedIn posts of the buyer; fifteen "
            "minutes is enough.",
        ], ["the outreach sequences", "the target account list"]),
        _t("renewals", "Renewals", [
            "When should we start the renewal conversation?",
            "How do we handle a renewal where usage dropped by half?",
        ], [
            "Ninety days before the end date, with a usage review prepared by Customer "
            "Success.",
            "Talk about it openly first; right-sizing keeps the customer, a surprise price "
            "does not.",
        ], ["the renewal calendar", "the usage review deck"]),
        _t("demos", "Product demos", [
            "Which demo environment should we use for enterprise prospects?",
            "How do we tailor the standard demo for a retail customer?",
        ], [
            "The shared demo tenant is reset every night; book a dedicated one two days "
            "ahead for enterprise.",
            "Load the retail data set from the demo admin page and start with their "
            "biggest pain, not the feature tour.",
        ], ["the demo environment", "the demo script"]),
    ),
)

MARKETING = DepartmentWords(
    name="Marketing",
    weight=7,
    teams=("Content", "Demand Generation", "Product Marketing", "Brand", "Events"),
    titles=("Content Marketing Manager", "Demand Generation Manager",
            "Product Marketing Manager", "Brand Designer", "Event Manager"),
    projects=("Website relaunch", "Annual conference", "Brand refresh"),
    topics=(
        _t("seo", "SEO", [
            "Why did our organic traffic drop after the website migration?",
            "How do we pick keywords for the new product pages?",
        ], [
            "Check the redirects first: every old URL needs a 301 to its new page, and the "
            "sitemap must list the new ones.",
            "Start from the questions customers ask Sales and Support, then check the search "
            "volume.",
        ], ["the website redirects", "the keyword plan"]),
        _t("content-strategy", "Content strategy", [
            "How do we turn a customer story into a case study quickly?",
            "Who reviews technical blog posts before they go out?",
        ], [
            "Interview the customer for 30 minutes with the template questions; a draft is "
            "back in three days.",
            "An engineer from the team that built it, then Legal if a customer is named.",
        ], ["the editorial calendar", "the case study template"]),
        _t("campaigns", "Campaigns", [
            "How do we measure the pipeline a campaign created?",
            "What budget do we need for a webinar campaign?",
        ], [
            "Attribute on first touch and on opportunity creation and show both; neither "
            "alone is the truth.",
            "About half goes to promotion; the last three webinars are in the campaign "
            "report.",
        ], ["the campaign report", "the webinar series"]),
        _t("events", "Events", [
            "How early do we need to book a booth for the spring trade fair?",
            "What should go into the post-event follow-up email?",
        ], [
            "Six months; the good spots are gone by January.",
            "One sentence on what we talked about, one useful link and one clear next step.",
        ], ["the trade fair booth", "the event checklist"]),
        _t("brand", "Brand", [
            "Where do I find the current logo files and slide templates?",
            "Can partners use our logo on their website?",
        ], [
            "In the brand portal; the slide templates were updated in March.",
            "Yes, with the partner logo guidelines and after the partnership is signed.",
        ], ["the brand guidelines", "the slide templates"]),
    ),
)

CUSTOMER_SUCCESS = DepartmentWords(
    name="Customer Success",
    weight=10,
    teams=("Support", "Onboarding", "Customer Success Management", "Escalations"),
    titles=("Support Engineer", "Customer Success Manager", "Onboarding Specialist",
            "Support Team Lead", "Technical Account Manager"),
    projects=("Support portal migration", "Health score revamp", "Self-service onboarding"),
    topics=(
        _t("support-tickets", "Support tickets", [
            "How do we route tickets that mention billing and a bug at the same time?",
            "What is our first-response target for priority customers?",
        ], [
            "Route on the bug; the support engineer adds Finance as a follower for the "
            "billing part.",
            "One hour in business hours for priority customers, four hours for everyone "
            "else.",
        ], ["the ticket routing rules", "the support macros"]),
        _t("customer-onboarding", "Customer onboarding", [
            "How long should a standard customer onboarding take?",
            "What is the checklist for the kick-off call?",
        ], [
            "Thirty days for standard, ninety for enterprise; longer usually means no "
            "internal champion.",
            "Goals, owners on both sides, the data import plan and the date of the first "
            "review.",
        ], ["the onboarding checklist", "the kick-off deck"]),
        _t("churn", "Churn", [
            "Which early signals predict that a customer will churn?",
            "How do we run a save call with a customer who gave notice?",
        ], [
            "Falling weekly active users and an unanswered renewal email are the two "
            "strongest signals we have.",
            "Listen first, write down every reason, and only then offer options; never "
            "argue.",
        ], ["the health score", "the churn review"]),
        _t("escalations", "Escalations", [
            "When do we escalate a ticket to engineering?",
            "Who talks to the customer during an escalation?",
        ], [
            "When it affects data, blocks a priority customer, or support cannot reproduce "
            "it within a day.",
            "The support engineer stays the single contact; engineering talks through them.",
        ], ["the escalation process", "the escalation board"]),
        _t("knowledge-base", "Knowledge base", [
            "How do we keep help center articles up to date after a release?",
            "Should internal troubleshooting notes go in the public knowledge base?",
        ], [
            "Each release ticket has a docs checkbox; the writer of the feature updates the "
            "article.",
            "No; keep an internal section and link it from the macro.",
        ], ["the help center", "the article templates"]),
    ),
)

OPERATIONS = DepartmentWords(
    name="Operations",
    weight=8,
    teams=("IT", "Procurement", "Facilities", "Workplace", "Logistics"),
    titles=("IT Support Specialist", "Procurement Manager", "Facilities Coordinator",
            "Operations Manager", "Systems Administrator"),
    projects=("Office move", "Laptop refresh", "Vendor consolidation"),
    topics=(
        _t("procurement", "Procurement", [
            "How long does a new software purchase take to get approved?",
            "When do we need three quotes for a purchase?",
        ], [
            "Two weeks if Security and Legal review in parallel; start both on day one.",
            "Above 10,000 euros, or for any new vendor that will handle customer data.",
        ], ["the purchase request form", "the approved vendor list"]),
        _t("vendor-management", "Vendor management", [
            "Who owns the relationship with our cloud provider?",
            "How do we offboard a vendor we no longer use?",
        ], [
            "Platform engineering owns it technically, Procurement owns the contract.",
            "Revoke their accounts, delete shared data, cancel the contract and record it in "
            "the vendor list.",
        ], ["the vendor register", "the vendor reviews"]),
        _t("it-helpdesk", "IT helpdesk", [
            "How do I get access to a shared mailbox?",
            "What do I do when the VPN drops every few minutes?",
        ], [
            "Ask the mailbox owner to approve the request in the IT portal; it is live within "
            "an hour.",
            "Switch to the wired network or the 5 GHz band; the old client also needs the "
            "update from the software center.",
        ], ["the IT portal", "the VPN client"]),
        _t("laptops", "Laptops", [
            "When am I due for a new laptop?",
            "Can I use my own laptop for work?",
        ], [
            "Every three years, or earlier if it fails; the IT portal shows your date.",
            "Only for web tools with single sign-on; code and customer data stay on managed "
            "devices.",
        ], ["the laptop refresh", "the device policy"]),
        _t("travel", "Travel", [
            "How do I book travel for a customer visit?",
            "What is the hotel limit for a night in London?",
        ], [
            "Through the travel tool, at least two weeks ahead; the approval goes to your "
            "manager automatically.",
            "The travel policy has a city table; London is 220 pounds a night.",
        ], ["the travel policy", "the booking tool"]),
        _t("facilities", "Facilities", [
            "How do I book a room for a workshop with twenty people?",
            "Who do I call when the office heating fails on a weekend?",
        ], [
            "The large rooms are booked through Facilities, not the calendar; ask two weeks "
            "ahead.",
            "The building security number on the badge; they reach the on-call technician.",
        ], ["the meeting rooms", "the office move"]),
    ),
)

FINANCE = DepartmentWords(
    name="Finance",
    weight=6,
    silo=True,
    teams=("Accounting", "FP&A", "Payroll", "Treasury", "Tax"),
    titles=("Accountant", "Senior Accountant", "Financial Analyst", "Controller",
            "Payroll Specialist", "Tax Manager"),
    projects=("ERP migration", "Faster month-end close", "Budget tool rollout"),
    topics=(
        _t("budgeting", "Budgeting", [
            "How do we move budget between cost centers mid-year?",
            "What goes into the headcount budget besides salaries?",
        ], [
            "A reallocation request signed by both budget owners; FP&A books it within a "
            "week.",
            "Payroll taxes, benefits, equipment, training and a recruiting fee; roughly 1.3 "
            "times the salary.",
        ], ["the budget template", "the cost center structure"]),
        _t("forecasting", "Forecasting", [
            "How often should we update the rolling forecast?",
            "Why does the revenue forecast differ from the sales pipeline?",
        ], [
            "Monthly after the close; quarterly re-forecasts change the drivers, not the "
            "actuals.",
            "The forecast weights the pipeline by stage history and excludes deals without "
            "a close date.",
        ], ["the rolling forecast", "the forecast drivers"]),
        _t("invoicing", "Invoicing", [
            "How do we correct an invoice that was already sent?",
            "Which customers need a purchase order number on the invoice?",
        ], [
            "Issue a credit note and a new invoice; never edit a sent one.",
            "The PO flag on the customer record; the public sector accounts all need one.",
        ], ["the invoice run", "the credit note process"]),
        _t("expenses", "Expenses", [
            "How do we handle expenses in a foreign currency?",
            "What receipts do we need for a team dinner?",
        ], [
            "Submit in the original currency; the tool converts at the card rate.",
            "The itemized receipt and the list of attendees in the comment field.",
        ], ["the expense tool", "the expense policy"]),
        _t("month-end-close", "Month-end close", [
            "How do we close the books in five working days instead of eight?",
            "Which accruals are still manual at month end?",
        ], [
            "Move the reconciliations to continuous, weekly checks; the last days are then "
            "only reviews.",
            "Bonus and commission accruals; everything else is automated since the ERP "
            "migration.",
        ], ["the close checklist", "the reconciliations"]),
        _t("tax", "Tax", [
            "Do we charge VAT to a customer in another EU country?",
            "How do we register for sales tax in a new US state?",
        ], [
            "Not if they give a valid VAT number; the invoice then says reverse charge.",
            "Once we pass the state's economic nexus threshold; the Tax team files the "
            "registration.",
        ], ["the VAT returns", "the nexus tracker"]),
    ),
)

PEOPLE = DepartmentWords(
    name="People & Culture",
    weight=5,
    teams=("Talent Acquisition", "People Partners", "Learning & Development",
           "Total Rewards"),
    titles=("Recruiter", "People Partner", "Learning Designer", "Compensation Analyst",
            "Head of People"),
    projects=("Career framework", "New onboarding program", "Engagement survey"),
    topics=(
        _t("hiring", "Hiring", [
            "How do we write a job ad that attracts more diverse candidates?",
            "What is a good take-home assignment for engineers?",
        ], [
            "Cut the requirements to the real must-haves and drop the jargon; the "
            "inclusive-language checker helps.",
            "Two hours at most, paid, and close to the real work; review it together in "
            "the interview.",
        ], ["the interview process", "the job ad templates"]),
        _t("onboarding", "Onboarding", [
            "What should a new hire's first week look like?",
            "How do we assign an onboarding buddy?",
        ], [
            "Laptop and accounts ready on day one, one real small task by Wednesday, and a "
            "lunch with the team.",
            "Someone from a neighbouring team who has been here over a year; they meet "
            "weekly for the first month.",
        ], ["the onboarding checklist", "the buddy program"]),
        _t("performance-reviews", "Performance reviews", [
            "How do we give feedback on a peer's work outside the review cycle?",
            "What should go into a self-assessment?",
        ], [
            "Soon, specific and in private: what happened, what effect it had, what you "
            "would like.",
            "Three outcomes with evidence, one thing you learned and what support you need.",
        ], ["the review cycle", "the career framework"]),
        _t("learning", "Learning", [
            "How do I use the yearly learning budget?",
            "Is there a mentoring program for people moving into management?",
        ], [
            "Any course, book or conference that helps your work; submit the receipt in the "
            "expense tool.",
            "Yes; the Learning & Development team matches new managers with a mentor for "
            "six months.",
        ], ["the learning budget", "the mentoring program"]),
        _t("benefits", "Benefits", [
            "How does parental leave work for part-time employees?",
            "When can I change my pension contribution?",
        ], [
            "The same number of weeks, paid pro rata; talk to your People Partner early.",
            "Once a month, in the benefits portal, before the 15th.",
        ], ["the benefits portal", "the leave policy"]),
        _t("wellbeing", "Wellbeing", [
            "How do we handle meeting overload in a distributed team?",
            "What support do we have for people working night shifts?",
        ], [
            "A meeting-free afternoon twice a week and written updates instead of status "
            "meetings.",
            "The employee assistance program is open around the clock, and night shifts "
            "count 1.25 times.",
        ], ["the wellbeing program", "the meeting guidelines"]),
    ),
)

LEGAL = DepartmentWords(
    name="Legal",
    weight=3,
    silo=True,
    teams=("Commercial Legal", "Privacy", "Compliance", "Corporate"),
    titles=("Legal Counsel", "Senior Counsel", "Paralegal", "Privacy Officer",
            "Compliance Analyst", "General Counsel"),
    projects=("Contract playbook", "Records retention review"),
    topics=(
        _t("contracts", "Contracts", [
            "Can we accept unlimited liability for data breaches in a customer contract?",
            "Which contract template do we use for a pilot?",
        ], [
            "No; the cap is twelve months of fees, or three times for data protection claims "
            "with approval.",
            "The pilot agreement: 90 days, no fees, our standard data protection terms.",
        ], ["the contract playbook", "the template library"]),
        _t("gdpr", "GDPR", [
            "How do we answer a data subject access request within a month?",
            "Do we need a data processing agreement with this new tool?",
        ], [
            "Log it in the privacy tool on day one; the checklist collects data from each "
            "system owner.",
            "Yes, if it processes personal data on our behalf; the vendor's standard one is "
            "often fine after review.",
        ], ["the records of processing", "the access request process"]),
        _t("compliance", "Compliance", [
            "What evidence does the auditor need for access reviews?",
            "How do we document an exception to the policy?",
        ], [
            "The quarterly export from each system with the reviewer's sign-off and the "
            "tickets for removals.",
            "An exception record with the reason, the risk owner and an expiry date.",
        ], ["the audit evidence", "the policy exceptions"]),
        _t("nda", "NDAs", [
            "Can I sign a mutual NDA myself before a first partner meeting?",
            "How long should confidentiality last in an NDA?",
        ], [
            "Yes, our standard mutual NDA unchanged; any edit goes to Legal first.",
            "Three years for business information, indefinitely for trade secrets.",
        ], ["the NDA template", "the signature process"]),
        _t("intellectual-property", "Intellectual property", [
            "Can we use this open-source library under the AGPL in our product?",
            "Who owns the work a contractor creates for us?",
        ], [
            "Ask before using it: AGPL obligations apply when users interact with it over a "
            "network.",
            "We do, if the contract has the assignment clause; the standard one does.",
        ], ["the open-source policy", "the contractor agreement"]),
    ),
)

DEPARTMENTS: tuple[DepartmentWords, ...] = (
    ENGINEERING, SALES, CUSTOMER_SUCCESS, PRODUCT, OPERATIONS, MARKETING, DATA, FINANCE,
    PEOPLE, LEGAL,
)

# Bodies are written as short paragraphs: the generator renders each paragraph once and
# reuses it, so a million posts need only a few thousand markdown renderings.
QUESTION_BODIES = (
    "{context}\n\nI looked for an existing answer but only found an old page. Has anyone "
    "done this recently? #{topic}",
    "{context}\n\nWe need this for {deadline}. Any pointers, or who should I talk to? #{topic}",
    "{context}\n\nWhat worked for your team, and what would you avoid? #{topic}",
    "{context}\n\nA link to a runbook or an example would already help a lot. #{topic}",
    "Quick one about #{topic}: {context_lower} Thanks in advance!",
)
QUESTION_CONTEXTS = (
    "We tried the approach from the onboarding docs and it did not hold up.",
    "This came up twice this month already.",
    "I am new to this area and do not want to reinvent the wheel.",
    "Last time we did it by hand and it took a whole afternoon.",
    "Three people gave me three different answers so far.",
    "We are about to do this for a customer-facing system.",
    "Our team inherited this from another team and the notes are thin.",
)
DEADLINES = ("the end of the sprint", "Thursday's review", "the quarterly close",
             "next week's customer call", "the audit in two weeks")

ANSWER_OPENERS = (
    "We had exactly this last quarter.",
    "Short version:",
    "Here is what worked for us:",
    "I have done this a few times.",
    "Depends on the size, but in most cases:",
    "Good question, this trips up a lot of people.",
    "From our team's experience:",
)
# Later answers to a question, when its own answers are used up: advice that fits any topic.
FURTHER_ANSWERS = (
    "Before changing anything, ask in the {label} community; someone there wrote down most "
    "of this last year.",
    "Talk to the people who own {thing} first; they usually know the catch.",
    "Try it on one small case first and write down what surprised you, then share it here.",
    "+1 to the answer above. One more thing: put an owner and a date on the follow-up.",
    "We paired on exactly this with another team; half an hour together beat a week of "
    "messages.",
)
ANSWER_CLOSERS = (
    "Happy to pair on it if you want.",
    "There is a runbook in our team space, I will link it.",
    "Ping me if it does not work.",
    "",
    "We wrote it up as a lesson learned afterwards, worth a read.",
    "Hope that helps!",
)

UPDATE_TITLES = ("Update: {thing}", "Working on {thing}", "Notes on {thing}", "", "", "")
UPDATE_BODIES = (
    "Working out loud: this week I am {activity} {thing}.\n\n{status} #{topic}",
    "{status}\n\nContext: I am {activity} {thing} for the team. #{topic}",
    "Small win: finished {activity} {thing}.\n\n{status} #{topic}",
)
UPDATE_ACTIVITIES = ("cleaning up", "documenting", "reviewing", "testing a new approach to",
                     "pairing with the team on", "simplifying", "measuring")
UPDATE_STATUSES = (
    "Halfway there; the tricky part is the edge cases.",
    "Stuck on one thing, happy to hear ideas.",
    "Notes are in the space if you want to follow along.",
    "Done by Friday if nothing surprises me.",
    "First results look promising.",
    "Turns out it was simpler than we feared.",
)

LESSON_TITLES = ("Lesson learned: {thing}", "What changing {thing} taught us",
                 "Next time we will do {thing} differently")
LESSON_TRIED = (
    "We changed {thing} in one go, for every team at once. #{topic}",
    "We automated {thing} to save the weekly manual work. #{topic}",
    "We rewrote the checklist for {thing} from scratch. #{topic}",
    "We skipped the review of {thing} to hit the deadline. #{topic}",
    "We moved {thing} to a new owner without a handover. #{topic}",
)
LESSON_HAPPENED = (
    "It took twice as long as planned because nobody owned the last step.",
    "It worked, but only after we involved the people who do it every day.",
    "We found the problem in production rather than in testing.",
    "Half the team did not know the new way existed, so the old one kept running.",
    "The first week was rough; by week three everyone preferred the new way.",
)
LESSON_NEXT_TIME = (
    "Write down an owner for each step before we start.",
    "Do a dry run with a small group first.",
    "Ask in the community before building our own version.",
    "Share progress every week instead of at the end.",
    "Keep the old way running for a week as a fallback.",
)

COMMENTS = (
    "Thanks, that worked for us too.",
    "Did you try this with the staging data first?",
    "Same problem in our team last month, following this.",
    "Could you link the runbook?",
    "This is worth turning into a page.",
    "Good point about the ownership, we missed that.",
    "How long did it take end to end?",
    "We do it slightly differently, but the idea is the same.",
    "Saved me a support ticket, thanks!",
    "Adding this to our onboarding notes.",
    "Is this still true after the last release?",
    "Great write-up.",
)
THANKS_COMMENTS = (
    "Thanks, that did it!",
    "That was it, thank you.",
    "Perfect, exactly what I needed.",
    "Worked on the first try, thanks.",
)

KUDOS_WHAT = ("the clear walkthrough", "taking the time to explain this", "the runbook link",
              "answering so quickly", "sharing what went wrong", "the example that just worked")
KUDOS_IMPACT = ("It saved me an afternoon.", "Our release went out on time.",
                "I finally understand how this works.", "We reused it in our team.",
                "The customer was happy.")
VALUE_NOTES = ("", "", "", "Used this in our sprint.", "Saved us a support ticket.",
               "Shared it with my team.", "Exactly the missing step.")
MINUTES_SAVED = (10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 480)

COMMUNITY_PATTERNS = ("{label} Guild", "{label} Community of Practice", "{label} Circle",
                      "{label} Exchange", "{label} Help Desk")
COMMUNITY_DESCRIPTIONS = (
    "Everyone who works with {label_lower}: questions, tips and lessons learned.",
    "A community of practice for {label_lower}. Ask anything, share what you found.",
)
PROJECT_CODENAMES = ("Atlas", "Beacon", "Compass", "Delta", "Ember", "Falcon", "Harbor",
                     "Keystone", "Lighthouse", "Meridian", "Northstar", "Orbit", "Pioneer",
                     "Quartz", "Summit", "Tandem")
PARTNERS = ("Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Logistics",
            "Wayne Retail", "Hooli", "Vandelay Industries", "Soylent Foods", "Tyrell Systems")
EXTERNAL_PATTERNS = ("{partner} Partner Portal", "{partner} Implementation",
                     "{partner} Customer Advisory")

LOCATIONS = ("Berlin", "Lisbon", "London", "Amsterdam", "Toronto", "Austin", "Singapore",
             "Bangalore", "Nairobi", "Sao Paulo", "Warsaw", "Madrid", "Sydney", "Remote")

FIRST_NAMES = (
    "Aaliyah", "Aarav", "Abebe", "Adaeze", "Adrian", "Ahmed", "Aiko", "Alejandro", "Alice",
    "Amara", "Amelia", "Ana", "Anders", "Andrea", "Aneesh", "Anika", "Antoine", "Arjun",
    "Astrid", "Ayesha", "Beatriz", "Benjamin", "Bilal", "Bruno", "Camille", "Carlos", "Chen",
    "Chiara", "Chloe", "Chukwuma", "Daniel", "Daria", "David", "Deepa", "Diego", "Divya",
    "Elena", "Elif", "Emeka", "Emma", "Erik", "Esther", "Fatima", "Felix", "Femi", "Freya",
    "Gabriel", "Grace", "Hamza", "Hannah", "Hiroshi", "Ibrahim", "Ines", "Ingrid", "Isaac",
    "Isabel", "Ivan", "Jakob", "Jamal", "Jana", "Javier", "Jin", "Joao", "Jonas", "Julia",
    "Kai", "Kaito", "Kamala", "Karim", "Katarzyna", "Kenji", "Kofi", "Lars", "Laura", "Leila",
    "Leon", "Liam", "Lina", "Lucas", "Lucia", "Maja", "Malik", "Marco", "Maria", "Mateo",
    "Maya", "Mehmet", "Mei", "Mohammed", "Nadia", "Naomi", "Nia", "Niklas", "Noah", "Nour",
    "Olivia", "Omar", "Oskar", "Pablo", "Paula", "Pedro", "Priya", "Rafael", "Rahul", "Rania",
    "Ravi", "Rosa", "Ruth", "Sade", "Samuel", "Sara", "Sebastian", "Sina", "Sofia", "Sven",
    "Tariq", "Thabo", "Tomas", "Valentina", "Vikram", "Wei", "Xin", "Yara", "Yusuf", "Zainab",
    "Zanele", "Zofia",
)
LAST_NAMES = (
    "Abara", "Adeyemi", "Agarwal", "Ahmadi", "Alvarez", "Andersen", "Bakker", "Banerjee",
    "Becker", "Bergstrom", "Bianchi", "Boateng", "Brown", "Castro", "Chen", "Choi", "Costa",
    "Da Silva", "Dubois", "Eriksen", "Fernandes", "Fischer", "Fontaine", "Garcia", "Ghosh",
    "Gomez", "Gonzalez", "Gupta", "Haddad", "Hansen", "Hassan", "Hoffmann", "Horvat", "Huang",
    "Ibrahim", "Ito", "Ivanova", "Jansen", "Jensen", "Johansson", "Kaur", "Khan", "Kim",
    "Kowalski", "Kruger", "Kumar", "Larsen", "Laurent", "Lee", "Lindberg", "Lopez", "Mahlangu",
    "Martin", "Martinez", "Mehta", "Meyer", "Moreau", "Mueller", "Murphy", "Nakamura", "Ndlovu",
    "Nguyen", "Nielsen", "Novak", "Nowak", "Nwosu", "Obi", "Odhiambo", "Okafor", "Okonkwo",
    "Oliveira", "Osei", "Ozturk", "Park", "Patel", "Pereira", "Petrov", "Popescu", "Quispe",
    "Rahman", "Ramirez", "Rao", "Reddy", "Rossi", "Russo", "Sahin", "Sato", "Schmidt",
    "Schneider", "Shah", "Singh", "Smith", "Sorensen", "Suzuki", "Tanaka", "Taylor", "Torres",
    "Tran", "Van Dijk", "Vasquez", "Wagner", "Wang", "Weber", "Williams", "Wilson", "Wright",
    "Yamamoto", "Yilmaz", "Zhang", "Zulu",
)
