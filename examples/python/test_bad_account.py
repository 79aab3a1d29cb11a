"""A bad account ID given from Python raises a Python exception carrying the library's own message."""
import unittest

from aws_cdk import App

from cdk_cross_account_roles import CrossAccountRolePair


class BadAccountTest(unittest.TestCase):

    def test_a_short_account_id_raises_the_library_message(self):
        # GIVEN
        app = App()

        # WHEN
        with self.assertRaises(RuntimeError) as raised:  # the jsii runtime's error for an exception thrown by the library
            CrossAccountRolePair(app, "Pair", trusting_account="1234", trusted_account="222222222222", region="eu-west-1", role_name="Audit")

        # THEN
        self.assertIn("Pair: trustingAccount must be a 12-digit AWS account ID, got '1234'", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
