from vibecli.cli import main

main()
