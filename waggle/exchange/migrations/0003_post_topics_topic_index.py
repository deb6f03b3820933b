"""Index the post-topic links by topic first, for "posts about the topics I follow"."""

from django.db import migrations


class Migration(migrations.Migration):
    """The home feed's topic follows and the topic feed read `exchange_post_topics` by
    `topic_id`; Django's own indexes there are (post_id, topic_id) and topic_id alone, so each
    read visited the table once per linked post. With (topic_id, post_id) PostgreSQL answers
    from the index only: at 1,000,000 posts the home feed's topic part went from about 15 ms
    to about 3 ms (bench/RESULTS.md)."""

    dependencies = [("exchange", "0002_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX exchange_post_topics_topic_post "
            "ON exchange_post_topics (topic_id, post_id)",
            reverse_sql="DROP INDEX exchange_post_topics_topic_post",
        ),
    ]
