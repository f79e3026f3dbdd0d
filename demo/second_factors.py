"""The second factors of the demo logins that must use one, in a module without Django (bin/smoke reads it)."""

# The authenticator-app secret (base32) of each demo login that must use a second factor (README, "Demo
# accounts"): add it to any authenticator app, or print the current code with
# python -c "import pyotp; print(pyotp.TOTP('DEMOHQANALYSTAAAAAAAAAAAAAAAAAAA').now())"
DEMO_TOTP_SECRETS = {
    "superuser@demo.test": "DEMOSUPERUSERAAAAAAAAAAAAAAAAAAA",
    "admin@demo.test": "DEMONETWORKADMINAAAAAAAAAAAAAAAA",
    "hq@demo.test": "DEMOHQANALYSTAAAAAAAAAAAAAAAAAAA",
    "hq@borealis.test": "DEMOBOREALISHQAAAAAAAAAAAAAAAAAA",
    "hq@proton.test": "DEMOPROTONHQAAAAAAAAAAAAAAAAAAAA",
    "analyst@proton.test": "DEMOPROTONANALYSTAAAAAAAAAAAAAAA",
}
