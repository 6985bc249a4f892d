#!/usr/bin/env python3
"""Issue 11: the account's own quota. Without quota.limit the agent works under the account's
ManualClusterSnapshots Max (DescribeAccountAttributes, once per region and observation), so it never
runs into SnapshotQuotaExceeded; a quota.limit above the account's is reported; status shows both."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agent_harness import CTL, AgentTestCase, main, policy, window_open_now  # noqa: E402

ACCOUNT_MAX = 9


class AccountQuota(AgentTestCase):
    def seed_world(self, quota=None, clusters=6, foreign=5):
        """`clusters` clusters due now; `foreign` manual snapshots someone else made; the account's limit 9."""
        w = window_open_now(self.now)
        ids = [f"db-{i}" for i in range(clusters)]
        self.seed(clusters=[{"id": c} for c in ids],
                  snapshots=[{"cluster": ids[0], "origin": "foreign", "id": f"by-hand-{k}"} for k in range(foreign)])
        self.admin.quota(limit=ACCOUNT_MAX)
        extra = {"quota": quota} if quota else {}
        self.write_config([policy(window=w, **extra)])
        return ids

    def status(self):
        p = subprocess.run([CTL, "status", "--json", "--config", self.config_path], env=self.env(now=self.now),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_without_quota_limit_the_account_limit_drives_creates(self):
        self.seed_world(quota={"reserve": 0})
        run = self.once(expect=None)
        self.assertEqual(len(self.requests("DescribeAccountAttributes")), 1, run.describe())
        created = [r for r in self.requests("CreateDBClusterSnapshot") if r["status"] == 200]
        self.assertEqual(len(created), ACCOUNT_MAX - 5, run.describe())
        self.assertEqual([r for r in self.requests("CreateDBClusterSnapshot") if r["status"] != 200], [],
                         "no create is refused by AWS: the agent knew the limit")
        exhausted = run.named("quota-exhausted")
        self.assertEqual(len(exhausted), 2, run.describe())
        self.assertIn("limit 9 (the account's) - reserve 0", exhausted[0].reason)
        quota = self.status()["policies"][0]["quota"]
        self.assertEqual((quota["limit"], quota["limit_source"]), (ACCOUNT_MAX, "account"), quota)
        self.assertEqual(quota["account"]["max"], ACCOUNT_MAX, quota)
        self.assertEqual(quota["account"]["used"], quota["account"]["counted_by_agent"], quota)

    def test_quota_limit_above_the_account_limit_is_reported_once(self):
        self.seed_world(quota={"limit": 95, "reserve": 5}, clusters=1, foreign=0)
        first = self.once()
        mismatch = first.named("quota-mismatch")
        self.assertEqual(len(mismatch), 1, first.describe())
        self.assertIn("quota.limit 95 of policy prod is above the account's", mismatch[0]["MESSAGE"])
        second = self.once(now=self.now + 60)
        self.assertEqual(second.named("quota-mismatch"), [], "reported once")
        quota = self.status()["policies"][0]["quota"]
        self.assertEqual((quota["limit"], quota["limit_source"]), (95, "config"), quota)


if __name__ == "__main__":
    main()
