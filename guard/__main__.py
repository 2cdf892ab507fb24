from guard.launch import main

main()
