from vibecli.launch import main

main()
