"""AccessExplainer from Python, on the example app: who may read the shared reports, and why another may not."""
import unittest

from aws_cdk import App

from cdk_cross_account_roles import AccessDecision, AccessExplainer, AccessLayer
from example_app import build_example_app

REPORT = "arn:aws:s3:::shared-reports-111111111111/2026/q1.csv"
READER = "arn:aws:sts::222222222222:assumed-role/SharedReportsReader/nightly"


class ExplainTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        app = App()
        build_example_app(app)
        cls.explainer = AccessExplainer.from_assembly(app.synth().directory)

    def test_the_reader_reads_the_shared_reports_and_decrypts_them_only_through_s3(self):
        # GIVEN / WHEN
        read = self.explainer.explain(principal=READER, action="s3:GetObject", resource=REPORT)
        through_s3 = self.explainer.explain(
            principal=READER,
            action="kms:Decrypt",
            resource="arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            context={"kms:ViaService": "s3.eu-west-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": REPORT},
        )
        direct = self.explainer.explain(
            principal=READER, action="kms:Decrypt", resource="arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")

        # THEN
        self.assertEqual(read.decision, AccessDecision.ALLOWED, read.summary)
        self.assertEqual(through_s3.decision, AccessDecision.ALLOWED, through_s3.summary)
        self.assertEqual(direct.decision, AccessDecision.DENIED, direct.summary)
        self.assertIn(AccessLayer.KEY_POLICY, direct.denied_by)

    def test_a_role_of_a_third_account_is_refused_by_the_bucket_policy(self):
        # GIVEN / WHEN
        result = self.explainer.explain(principal="arn:aws:iam::333333333333:role/SharedReportsReader", action="s3:GetObject", resource=REPORT)

        # THEN
        self.assertEqual(result.decision, AccessDecision.DENIED, result.summary)
        self.assertEqual(result.denied_by, [AccessLayer.RESOURCE_POLICY])


if __name__ == "__main__":
    unittest.main()
